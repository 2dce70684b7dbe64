mail-greeting = Bonjour { $user },
mail-footer = Vous recevez cet e-mail en raison de vos préférences de notification. Modifiez-les ici : { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = « { $name } » est prêt
mail-file_processed-body = Votre fichier « { $name } » a été traité et est prêt à l’emploi.
mail-file_failed-subject = « { $name } » n’a pas pu être traité
mail-file_failed-body = Un problème est survenu lors du traitement de votre fichier « { $name } ». Il n’a pas d’aperçu et ne peut pas être recherché. Ouvrez-le pour le vérifier, ou téléversez-le à nouveau.
mail-file_refused-subject = « { $name } » a été refusé : trop volumineux une fois décompressé
mail-file_refused-body = Votre fichier « { $name } » devient trop volumineux une fois décompressé pour être lu sans risque ; il a donc été refusé : il n’a pas d’aperçu et ne peut pas être recherché. Il reste stocké ; vous pouvez le télécharger ou le supprimer.
mail-export_ready-subject = Votre export de données est prêt
mail-export_ready-body = La copie de vos données que vous avez demandée est prête. Connectez-vous et téléchargez-la depuis votre profil dans les { $hours } heures ; elle sera ensuite supprimée.
mail-open = L’ouvrir : { $link }

mail-footer-account = Vous recevez cet e-mail en raison d’une action sur votre compte SmartAIPlatForm.
mail-verify_email-subject = Confirmez votre adresse e-mail
mail-verify_email-body = Veuillez confirmer qu’il s’agit bien de votre adresse e-mail en ouvrant ce lien dans les { $hours } heures : { $action }
mail-reset_password-subject = Réinitialisez votre mot de passe
mail-reset_password-body = Quelqu’un a demandé la réinitialisation du mot de passe de votre compte. Si c’était vous, choisissez un nouveau mot de passe dans les { $hours } heures ici : { $action }

    Si ce n’était pas vous, ignorez cet e-mail : votre mot de passe reste inchangé.

mail-security-subject = Les identifiants de votre compte ont changé
mail-security-body = Ceci vient de se produire sur votre compte : { $event }.
    Quand : { $when }. Depuis l’adresse IP { $ip }.

    Si c’était vous, il n’y a rien à faire. Sinon, changez votre mot de passe maintenant et vérifiez l’activité de sécurité de votre compte : { $action }
mail-security-event-password_changed = votre mot de passe a été modifié
mail-security-event-password_reset = votre mot de passe a été réinitialisé
mail-security-event-two_factor_enabled = la connexion à deux facteurs a été activée
mail-security-event-two_factor_disabled = la connexion à deux facteurs a été désactivée
mail-security-event-passkey_added = une clé d’accès a été ajoutée
mail-security-event-token_created = un jeton d’accès a été créé
mail-security-event-deletion_requested = vous avez demandé la suppression de votre compte ; connectez-vous avant la fin du délai de grâce pour le conserver
mail-security-event-deletion_cancelled = vous vous êtes connecté, votre compte ne sera donc pas supprimé
mail-security-event-provider_linked = un fournisseur de connexion a été associé
