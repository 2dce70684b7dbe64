mail-greeting = Hello { $user },
mail-footer = You get this e-mail because of your notification settings. Change them here: { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = “{ $name }” is ready
mail-file_processed-body = Your file “{ $name }” has been processed and is ready to use.
mail-file_failed-subject = “{ $name }” could not be processed
mail-file_failed-body = Something went wrong while processing your file “{ $name }”. It has no preview and cannot be searched. Open it to check it, or upload it again.
mail-file_refused-subject = “{ $name }” was refused as too large once decompressed
mail-file_refused-body = Your file “{ $name }” grows too large when decompressed to be read safely, so it was refused: it has no preview and cannot be searched. It is still stored; you may download or delete it.
mail-export_ready-subject = Your data export is ready
mail-export_ready-body = The copy of your data you asked for is ready. Sign in and download it from your profile within { $hours } hours; after that it is deleted.
mail-open = Open it: { $link }

mail-footer-account = You get this e-mail because of an action on your SmartAIPlatForm account.
mail-verify_email-subject = Confirm your e-mail address
mail-verify_email-body = Please confirm that this is your e-mail address by opening this link within { $hours } hours: { $action }
mail-reset_password-subject = Reset your password
mail-reset_password-body = Someone asked to reset the password of your account. If it was you, choose a new password within { $hours } hours here: { $action }

    If it was not you, ignore this e-mail: your password stays as it is.

mail-security-subject = Your account’s sign-in details changed
mail-security-body = This just happened to your account: { $event }.
    When: { $when }. From the IP address { $ip }.

    If it was you, there is nothing to do. If it was not, change your password now and check your account’s security activity: { $action }
mail-security-event-password_changed = your password was changed
mail-security-event-password_reset = your password was reset
mail-security-event-two_factor_enabled = two-factor sign-in was turned on
mail-security-event-two_factor_disabled = two-factor sign-in was turned off
mail-security-event-passkey_added = a passkey was added
mail-security-event-token_created = an access token was created
mail-security-event-deletion_requested = you asked for your account to be deleted; sign in before the grace period ends to keep it
mail-security-event-deletion_cancelled = you signed in, so your account will not be deleted
mail-security-event-provider_linked = a sign-in provider was linked
