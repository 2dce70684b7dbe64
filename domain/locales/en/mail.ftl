mail-greeting = Hello { $user },
mail-footer = You get this e-mail because of your notification settings. Change them here: { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = “{ $name }” is ready
mail-file_processed-body = Your file “{ $name }” has been processed and is ready to use.
mail-file_failed-subject = “{ $name }” could not be processed
mail-file_failed-body = Something went wrong while processing your file “{ $name }”. It has no preview and cannot be searched. Open it to check it, or upload it again.
mail-open = Open it: { $link }

mail-footer-account = You get this e-mail because of an action on your SmartAIPlatForm account.
mail-verify_email-subject = Confirm your e-mail address
mail-verify_email-body = Please confirm that this is your e-mail address by opening this link within { $hours } hours: { $action }
mail-reset_password-subject = Reset your password
mail-reset_password-body = Someone asked to reset the password of your account. If it was you, choose a new password within { $hours } hours here: { $action }

    If it was not you, ignore this e-mail: your password stays as it is.
