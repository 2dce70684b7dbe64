mail-greeting = Bonjour { $user },
mail-footer = Vous recevez cet e-mail en raison de vos préférences de notification. Modifiez-les ici : { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = « { $name } » est prêt
mail-file_processed-body = Votre fichier « { $name } » a été traité et est prêt à l’emploi.
mail-file_failed-subject = « { $name } » n’a pas pu être traité
mail-file_failed-body = Un problème est survenu lors du traitement de votre fichier « { $name } ». Il n’a pas d’aperçu et ne peut pas être recherché. Ouvrez-le pour le vérifier, ou téléversez-le à nouveau.
mail-open = L’ouvrir : { $link }
