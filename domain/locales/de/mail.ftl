mail-greeting = Hallo { $user },
mail-footer = Sie erhalten diese E-Mail aufgrund Ihrer Benachrichtigungseinstellungen. Hier können Sie sie ändern: { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = „{ $name }“ ist bereit
mail-file_processed-body = Ihre Datei „{ $name }“ wurde verarbeitet und steht bereit.
mail-file_failed-subject = „{ $name }“ konnte nicht verarbeitet werden
mail-file_failed-body = Bei der Verarbeitung Ihrer Datei „{ $name }“ ist etwas schiefgegangen. Sie hat keine Vorschau und ist nicht durchsuchbar. Öffnen Sie sie, um sie zu prüfen, oder laden Sie sie erneut hoch.
mail-open = Öffnen: { $link }
