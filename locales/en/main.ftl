## The shell
app-name = SmartAIPlatForm
lang-native = English
lang-switch = Change language
nav-label = Main
nav-skip = Skip to content
nav-home = Home
nav-profile = Profile
nav-files = Files
nav-sign-in = Sign in
nav-sign-up = Sign up
nav-sign-out = Sign out
footer-text = SmartAIPlatForm — your files, your assistant, your data.
loading = Loading…
action-go-home = Back to the home page
welcome-back = Welcome back, { $name }!
role-admin = Administrator

## Landing page
landing-title = Home
landing-headline = One platform for your documents and the AI that knows them
landing-lead = SmartAIPlatForm is being built in the open. Today you get a secure account, a profile in your language, your documents with previews and share links, and notifications that arrive live or by e-mail; the assistant follows.
landing-cta-sign-up = Create a free account
landing-cta-sign-in = Sign in
landing-cta-profile = Go to your profile
landing-features-heading = What you get
landing-feature-account-title = A secure account
landing-feature-account-body = Passwords are hashed with Argon2id; changing yours signs out every other device.
landing-feature-language-title = In your language
landing-feature-language-body = English, German, French and Arabic, switchable at any time and remembered on your profile.
landing-feature-everywhere-title = Works everywhere
landing-feature-everywhere-body = From a 360-pixel phone to a desktop, in light or dark, and even with JavaScript turned off.
landing-feature-api-title = Built for programs too
landing-feature-api-body = Everything you can click, a program can call through stable, documented RPC endpoints.

## Sign in and sign up
sign-in-title = Sign in
sign-in-lead = Welcome back. Sign in with your e-mail address and password.
sign-in-submit = Sign in
sign-in-pending = Signing in…
sign-in-no-account = No account yet?
sign-up-title = Create your account
sign-up-lead = It takes a minute. You can change everything later on your profile.
sign-up-submit = Create account
sign-up-pending = Creating your account…
sign-up-have-account = Already have an account?

## Fields
field-email = E-mail address
field-password = Password
field-password-hint = At least 12 characters. A phrase of several words is easy to remember and hard to guess.
field-display-name = Display name
field-display-name-hint = Optional. Shown in the header and to people you share with.
field-language = Language
field-time-zone = Time zone
field-current-password = Current password
field-new-password = New password

## Profile
profile-title = Your profile
profile-member-since = Member since
profile-details-heading = Details
profile-save = Save changes
profile-saved = Your profile has been saved.
password-heading = Change password
password-lead = You stay signed in here; every other session is signed out.
password-submit = Change password
deletion-heading = Delete account
deletion-lead = Your profile, files, tokens, passkeys, notifications and assistant conversations are erased { $days } days after you ask. Until then, signing in cancels the deletion; after that it cannot be undone. You are signed out everywhere at once, and access tokens stop working.
deletion-confirm-lead = To confirm, type your e-mail address: { $email }
deletion-confirm-label = Your e-mail address
deletion-password-hint = Not needed if you signed in during the last few minutes.
deletion-submit = Delete my account
password-changed = Your password has been changed. Other sessions have been signed out.
sign-in-forgot = Forgot your password?
sign-in-reset-done = Your password has been reset. Sign in with the new one.
deletion-scheduled = Your account will be deleted when the grace period ends, and you have been signed out everywhere. Changed your mind? Sign in before then and it stays.
export-heading = Export your data
export-lead = A zip file with your profile, sign-in sessions, access tokens (without their secrets), sign-in methods, your files under their original names, notifications, assistant conversations and your account’s security events, as JSON. It is prepared in the background; you are notified when it is ready and can download it for { $hours } hours.
export-request = Export my data
export-requested = Your export is being prepared. You will be notified when it is ready to download.
export-none = You have not exported your data yet.
export-unavailable = Your exports cannot be listed right now.
export-asked = Asked
export-expires = Download before
export-download = Download
export-status-pending = Being prepared…
export-status-ready = Ready to download
export-status-failed = Failed; please ask again
export-status-expired = Expired
forgot-title = Forgot your password?
forgot-lead = Enter your e-mail address. If it belongs to an account, we send a link to choose a new password.
forgot-submit = Send the link
forgot-sent = If an account uses that address, a link is on its way. Check your inbox and your spam folder.
reset-title = Choose a new password
reset-lead = Every session of your account is signed out afterwards.
reset-submit = Set the new password
reset-ask-again = Ask for a new link
verify-title = Confirm your e-mail address
verify-lead = Confirm that this address is yours, and your account is complete.
verify-submit = Confirm my address
verify-done = Your e-mail address is confirmed.
verify-pending = Your e-mail address is not confirmed yet: follow the link we sent to it.
verify-resend = Send the link again
verify-resent = A new link is on its way.
sessions-heading = Where you’re signed in
sessions-lead = Sign out devices you no longer use or do not recognise.
sessions-this-device = This device
sessions-unknown-device = Unknown device
sessions-ip = IP address
sessions-last-seen = Last active
sessions-signed-in = Signed in
sessions-end = Sign out
sessions-end-others = Sign out all other sessions
sessions-ended = Signed out. Those devices need to sign in again.
passkeys-heading = Passkeys
passkeys-lead = Sign in with your fingerprint, face or device PIN instead of a password. The passkey stays on your device.
passkeys-none = No passkeys yet.
passkeys-name = Name of the new passkey
passkeys-name-placeholder = e.g. My laptop
passkeys-password = Your password
passkeys-password-hint = Needed when you signed in more than 10 minutes ago.
passkeys-add = Add a passkey
passkeys-add-failed = The passkey could not be added. Try again, or use another device.
passkeys-added = Added
passkeys-last-used = Last used
passkeys-remove = Remove
passkeys-saved = Your passkeys have been updated.
tokens-heading = Access tokens
tokens-lead = Let programs and scripts use the API on your behalf. Each token has its own scopes and expiry; revoke it as soon as it is no longer needed.
tokens-none = No access tokens yet.
tokens-revoked = The token has been revoked. Programs using it are refused from now on.
tokens-made = Token “{ $name }” created.
tokens-made-warning = Copy it now: it will not be shown again. Anyone who has it can act as you within its scopes.
tokens-secret = Your new access token
tokens-copy = Copy
tokens-copied = Copied
tokens-col-name = Name
tokens-col-scopes = Scopes
tokens-col-created = Created
tokens-col-expires = Expires
tokens-col-last-used = Last used
tokens-col-actions = Actions
tokens-expired = Expired
tokens-never-used = Never
tokens-revoke = Revoke
tokens-revoke-confirm = Revoke “{ $name }”? Programs using this token stop working at once.
tokens-revoke-submit = Revoke token
tokens-create-heading = Create a token
tokens-name = Token name
tokens-name-hint = What it is for, e.g. “Backup script”.
tokens-scopes = Scopes
tokens-scope-read = Read
tokens-scope-read-hint = See your files, profile and notifications.
tokens-scope-write = Write
tokens-scope-write-hint = Upload, change and delete on your behalf.
tokens-scope-admin = Admin
tokens-scope-admin-hint = Use the administration API. For administrators only.
tokens-expires-in = Expires after
tokens-lifetime-7d = 7 days
tokens-lifetime-30d = 30 days
tokens-lifetime-90d = 90 days
tokens-lifetime-365d = 1 year
tokens-create = Create token
sign-in-or = or
sign-in-passkey = Sign in with a passkey
sign-in-passkey-failed = Signing in with a passkey did not work. Try again, or use your password.

## Security activity
activity-heading = Security activity
activity-lead = Sign-ins, password changes and other security events on your account, newest first. If you do not recognise one, change your password.
activity-none = No security events yet.
activity-unavailable = Your security activity cannot be shown right now.
activity-col-event = Event
activity-col-time = Time (UTC)
activity-col-ip = IP address
activity-col-device = Device
audit-event-sign_up = Account created
audit-event-sign_in = Signed in
audit-event-sign_in_failed = Failed sign-in attempt
audit-event-sign_out = Signed out
audit-event-password_changed = Password changed
audit-event-password_reset = Password reset
audit-event-session_revoked = Session ended
audit-event-role_changed = Role changed
audit-event-two_factor_enabled = Two-factor authentication turned on
audit-event-two_factor_disabled = Two-factor authentication turned off
audit-event-provider_linked = Sign-in provider linked
audit-event-provider_unlinked = Sign-in provider unlinked
audit-event-email_verified = E-mail address confirmed
audit-event-passkey_added = Passkey added
audit-event-passkey_removed = Passkey removed
audit-event-token_created = Access token created
audit-event-token_revoked = Access token revoked
audit-event-deletion_requested = Account deletion requested
audit-event-deletion_cancelled = Account deletion cancelled
audit-event-account_erased = Account erased
audit-event-audit_keyed = Audit log keyed
audit-event-audit_pruned = Old audit events removed (retention)
audit-event-export_requested = Data export requested
audit-event-export_downloaded = Data export downloaded
audit-event-flag_changed = Feature flag changed

## Status pages
not-found-title = Page not found
not-found-body = The page you are looking for does not exist or has moved.
error-page-title = Something went wrong

## Errors
error-email-required = Enter your e-mail address.
error-email-malformed = This does not look like an e-mail address.
error-email-too_long = This e-mail address is too long.
error-email-taken = This e-mail address is already registered. Sign in instead?
error-email-unconfirmed = Confirm your e-mail address first: follow the link we sent you (you can ask for a new one on your profile).
error-password-required = Enter your password.
error-password-too_short = Use at least 12 characters.
error-password-too_long = Use at most 256 characters.
error-password-too_common = This password is too common. Choose something less guessable.
error-new_password-required = Enter a new password.
error-new_password-too_short = Use at least 12 characters.
error-new_password-too_long = Use at most 256 characters.
error-new_password-too_common = This password is too common. Choose something less guessable.
error-new_password-unsupported = The new password must differ from the current one.
error-current_password-required = Enter your current password.
error-display_name-required = Enter a display name.
error-display_name-too_long = Use at most 80 characters.
error-display_name-malformed = The display name cannot contain control characters or angle brackets.
error-locale-unsupported = This language is not available.
error-time_zone-required = Choose a time zone.
error-time_zone-unsupported = This time zone is not known.
error-invalid-credentials = Wrong e-mail address or password.
error-wrong-password = The current password is not correct.
error-too-many-attempts = { $count ->
    [one] Too many attempts. Try again in one second.
   *[other] Too many attempts. Try again in { $count } seconds.
}
error-rate-limited = { $count ->
    [one] Too many requests. Try again in one second.
   *[other] Too many requests. Try again in { $count } seconds.
}
error-unauthenticated = Please sign in to continue.
error-forbidden = You are not allowed to do that.
error-not-found = This could not be found.
error-unavailable = The service is temporarily unavailable. Please try again in a moment.
error-internal = An unexpected error happened. It has been logged; please try again.
error-request = The request could not be completed. Check your connection and try again.
error-file-required = Choose a file to upload.
error-file_name-required = Enter a file name.
error-file_name-too_long = Use at most 255 characters.
error-file_name-malformed = A file name cannot contain slashes or control characters, or end with a dot.
error-file_name-reserved = This name is reserved by the system. Choose another.
error-avatar-required = Choose an image to upload.
error-expires_in-too_short = A link must last at least a minute.
error-expires_in-too_long = A link can last at most 30 days.
error-expires_in-malformed = Choose how long the link should last.
error-notification_kind-unsupported = This kind of notification does not exist.
error-token-expired = This link has expired or has already been used. Ask for a new one.
error-passkey-malformed = The passkey could not be verified. Try again.
error-passkey-expired = This passkey request has expired. Try again.
error-passkey-too_long = Use at most 80 characters for the name.
error-passkey-unsupported = Passkeys are not available here: the app must be reached at a domain name.
error-token_name-required = Enter a name for the token.
error-token_name-too_long = Use at most 80 characters, and no control characters.
error-scopes-required = Choose at least one scope.
error-scopes-unsupported = A token cannot be given this scope.
error-expires_in-unsupported = Choose how long the token should last: at most a year.
error-upload-required = { $name }: the file is empty.
error-upload-too_large = { $name }: the file is larger than allowed.
error-upload-over_quota = { $name }: there is not enough room left in your storage.
error-upload-unsupported = { $name }: this type of file is not accepted. Upload PDF, images (PNG, JPEG, GIF, WebP) or text.
error-upload-dimensions = { $name }: the image is too large. Use one of at most 8192 × 8192 pixels.
error-upload-too_long = { $name }: the file name is too long.
error-upload-malformed = { $name }: the file name is not valid.
error-upload-reserved = { $name }: the file name is reserved by the system.

## Sizes
size-bytes = { $size } B
size-kb = { $size } KB
size-mb = { $size } MB
size-gb = { $size } GB
size-tb = { $size } TB

## Files
files-title = Files
files-lead = Your documents and images, private to you unless you share them.
files-upload-heading = Upload
files-upload-choose = Choose files
files-upload-drop = or drop them here
files-upload-submit = Upload
files-upload-progress = Uploads
files-upload-done = Uploaded
files-upload-pause = Pause
files-upload-resume = Resume
files-upload-pause-label = Pause the upload of { $name }
files-upload-resume-label = Resume the upload of { $name }
files-upload-paused = Paused at { $percent } %
files-upload-resumed = { $percent } % (resumed where it stopped)
files-usage = { $used } of { $quota } used. Files up to { $max } each.
files-uploaded = { $count ->
    [one] One file uploaded.
   *[other] { $count } files uploaded.
}
files-deleted = The file was deleted.
files-list-heading = Your files
files-search-label = Search by name
files-search-submit = Search
files-none = No files yet. Upload your first one above.
files-none-match = No file name matches your search.
files-col-name = Name
files-col-type = Type
files-col-size = Size
files-col-uploaded = Uploaded
files-col-actions = Actions
file-type-text = Text
files-download = Download
files-rename = Rename
files-new-name = New name
files-rename-submit = Save name
files-delete = Delete
files-delete-confirm = Delete “{ $name }” for good? This cannot be undone.
files-delete-submit = Yes, delete
files-pages = Pages
files-page-of = Page { $page } of { $pages } ({ $total } files)
files-previous = Previous
files-next = Next
files-back = ← All files
file-preview = Preview
file-no-preview = There is no preview for this type of file.
file-actions = Actions
file-details = Details

## Share links
share-heading = Share
share-lead = Anyone with the link can download this file, without an account, until it expires or you revoke it.
share-expires-in = Link valid for
share-lifetime-1h = 1 hour
share-lifetime-1d = 1 day
share-lifetime-7d = 7 days
share-lifetime-30d = 30 days
share-create = Create link
share-made = Copy this link now; it is shown only once:
share-copy = Copy
share-active = Active links
share-expires-at = Expires { $at } UTC
share-revoke = Revoke

## Avatar
avatar-heading = Avatar
avatar-saved = Your avatar was updated.
avatar-alt = Your avatar
avatar-choose = Image
avatar-hint = PNG, JPEG, GIF or WebP, up to 10 MB. It is cropped to a square.
avatar-upload = Upload avatar
avatar-remove = Remove avatar

## Notifications
nav-notifications = Notifications
notifications-title = Notifications
notifications-bell = { $count ->
    [0] Notifications, none unread
    [one] Notifications, one unread
   *[other] Notifications, { $count } unread
}
notifications-none = Nothing new. Notifications about your files appear here.
notifications-mark-all = Mark all as read
notifications-mark-read = Mark as read
notifications-delete = Delete
notifications-new = New
notification-file_processed = “{ $name }” is ready.
notification-file_failed = “{ $name }” could not be processed. Open it to check it, or upload it again.
notification-file_refused = “{ $name }” was refused: it grows too large when decompressed to be read. It is kept, but it cannot be searched.
notification-export_ready = Your data export is ready to download.
notification-settings-heading = Notifications
notification-settings-lead = Choose how you hear about each kind of event.
notification-settings-kind = Event
notification-settings-in-app = In the app
notification-settings-email = By e-mail
notification-settings-save = Save notification settings
notification-settings-saved = Notification settings saved.
notification-kind-file_processed = A file has been processed
notification-kind-file_failed = A file could not be processed
notification-kind-file_refused = A file was refused as too large once decompressed
notification-kind-export_ready = A data export is ready

## Two-factor authentication
sign-in-code-title = Enter your code
sign-in-code-lead = Your account has two-factor authentication on. Enter the 6-digit code your authenticator app shows, or one of your recovery codes.
sign-in-code-hint = A code from the app, or a recovery code such as abcde-fghjk.
sign-in-code-submit = Continue
sign-in-code-again = Start signing in again
field-code = Code
field-two-factor-proof = Password or code
error-code-required = Enter a code.
error-code-incorrect = That code is wrong or was already used.
error-confirmation-required = Type your e-mail address to confirm.
error-confirmation-incorrect = This is not your account's e-mail address.
error-role-unsupported = You cannot do this to your own account.
error-role-last_admin = This is the only administrator: make someone else an administrator first.
error-challenge-expired = This sign-in has expired. Enter your e-mail address and password again.
error-two_factor-unsupported = Two-factor authentication is already in that state. Reload the page.
two-factor-heading = Two-factor authentication
two-factor-lead = Sign in with a code from an authenticator app on your phone as well as your password.
two-factor-on = Two-factor authentication is on.
two-factor-off = Two-factor authentication is off.
two-factor-codes-left = Recovery codes left:
two-factor-start = Set up two-factor authentication
two-factor-step-scan = Scan this QR code with your authenticator app, or type in the secret below.
two-factor-step-code = Enter the 6-digit code the app shows to turn two-factor authentication on.
two-factor-qr-alt = QR code to add your account to an authenticator app
two-factor-secret = Secret key:
two-factor-confirm = Turn on
two-factor-codes-intro = Save these recovery codes somewhere safe. Each one signs you in once if your phone is not at hand. They are shown only now.
two-factor-codes-label = Recovery codes
two-factor-regenerate-heading = New recovery codes
two-factor-regenerate = Make new recovery codes
two-factor-disable-heading = Turn off
two-factor-disable = Turn off two-factor authentication
two-factor-disabled = Two-factor authentication is off.
# Sign-in through OpenID Connect providers
sign-in-with = Sign in with { $provider }
oidc-error-provider = This sign-in provider is not configured.
oidc-error-denied = The sign-in was cancelled at the provider. You are not signed in.
oidc-error-state = This sign-in link has expired or was already used. Please start again.
oidc-error-failed = The provider’s answer could not be verified. Please try again.
oidc-error-unverified = An account already uses this e-mail address, and the provider has not confirmed that it is yours. Sign in with your password instead.
oidc-error-email = The provider did not give an e-mail address, so no account can be created.
oidc-error-two_factor = Your account uses two-factor sign-in. Sign in with your password and code, then link the provider on your profile.
oidc-error-linked_elsewhere = This provider account is already linked to another account here. Sign in with it to use that account, or unlink it there first.
oidc-error-internal = Something went wrong on our side. Please try again.
oidc-link-title = Link your account
oidc-link-lead = An account with this e-mail address already exists. Enter its password once to link the provider; afterwards you can sign in with either.
oidc-link-submit = Link and sign in
oidc-link-error-password = Wrong password.
oidc-link-error-throttled = Too many attempts. Wait a moment and try again.
providers-heading = Linked sign-in providers
providers-lead = Services you can sign in with instead of your password.
providers-none = No provider is linked.
providers-link = Link { $provider }
providers-linked-at = Linked
providers-unlink = Unlink
providers-linked = The provider has been linked to your account.
providers-unlinked = The provider has been unlinked.
error-provider-last_sign_in_method = This is your only way to sign in. Set a password (via “Forgot your password?”) or link another provider first.

## The assistant
assistant-open = Open the assistant
assistant-title = Assistant
assistant-close = Close the assistant
assistant-usage = { $count } of { $limit } questions today
assistant-conversations = Conversations
assistant-new = New conversation
assistant-rename = Rename
assistant-rename-named = Rename “{ $title }”
assistant-rename-label = Conversation title
assistant-rename-save = Save
assistant-rename-cancel = Cancel
assistant-delete = Delete
assistant-delete-named = Delete “{ $title }”
assistant-delete-confirm = Delete “{ $title }” and all its messages?
assistant-delete-yes = Yes, delete
assistant-delete-no = Keep it
assistant-empty = Ask anything about your documents. Answers cite the files they come from.
assistant-question = Your question
assistant-question-placeholder = Ask about your documents… (Enter sends, Shift+Enter adds a line)
assistant-send = Send
assistant-stop = Stop
assistant-stopped = The answer was stopped.
assistant-answered = The answer is complete.
assistant-failed = The assistant could not answer right now. What arrived so far is kept; please try again in a moment.
assistant-sources = Sources
assistant-page-lead = Your conversations with the assistant. Open the assistant from the header to ask a question.
assistant-none = No conversations yet. Open the assistant from the header to ask your first question.
assistant-pick = Choose a conversation to read it.
error-question-required = Enter a question.
error-question-too_long = This question is too long. Shorten it and try again.
error-question-daily_limit = You have reached today’s limit for the assistant. It resets at midnight UTC.
error-title-required = Enter a title.
error-title-too_long = Use at most 200 characters for the title.

## Help
nav-help = Help
help-title = Help
help-lead = How SmartAIPlatForm works. The assistant cites these pages too.
help-none = No help pages yet.
help-back = All help pages

## Dates and times (the server sends them in the reader's time zone)
date-time = { $day } { $month } { $year }, { $time }
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
time-just-now = just now
time-minutes-ago = { $count ->
    [one] 1 minute ago
   *[other] { $count } minutes ago
}
time-hours-ago = { $count ->
    [one] 1 hour ago
   *[other] { $count } hours ago
}

admin-title = Administration
admin-lead = Accounts and feature flags. Every change is recorded in the audit log.
admin-users-heading = Accounts
admin-users-search = Search by e-mail or name
admin-users-role = Role
admin-role-any = Any role
admin-role-user = User
admin-role-admin = Administrator
admin-users-filter = Search
admin-users-none = No account matches.
admin-users-next = Next page
admin-col-email = E-mail
admin-col-name = Name
admin-col-role = Role
admin-col-since = Member since
admin-col-actions = Actions
admin-make-admin = Make administrator
admin-make-user = Make user
admin-delete = Delete
admin-delete-confirm = Delete { $email } now? The account stops working at once and everything it owns is erased. This cannot be undone.
admin-delete-submit = Yes, delete the account
admin-flags-heading = Feature flags
admin-flags-lead = Switch a feature on or off, roll it out to a share of users (each keeps their side as the share grows), or name users and roles that always or never get it. Every instance follows at once.
admin-flags-saved = The flag has been saved.
admin-flag-enabled = On
admin-flag-rollout = Share of users (%)
admin-flag-allow-users = Always for these users
admin-flag-deny-users = Never for these users
admin-flag-users-hint = E-mail addresses, one per line. “Never” wins over “always”, users over roles.
admin-flag-allow-roles = Always for these roles
admin-flag-deny-roles = Never for these roles
admin-flag-updated = Last changed
admin-flag-save = Save flag
nav-admin = Admin
error-email-unsupported = One of these addresses is no account’s.
error-rollout-malformed = Enter a whole number from 0 to 100.
error-rollout-too_large = The share cannot be more than 100%.
