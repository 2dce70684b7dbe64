mail-greeting = Hello { $user },
mail-footer = You get this e-mail because of your notification settings. Change them here: { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = “{ $name }” is ready
mail-file_processed-body = Your file “{ $name }” has been processed and is ready to use.
mail-file_failed-subject = “{ $name }” could not be processed
mail-file_failed-body = Something went wrong while processing your file “{ $name }”. It has no preview and cannot be searched. Open it to check it, or upload it again.
mail-open = Open it: { $link }
