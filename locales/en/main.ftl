## The shell
app-name = SmartAIPlatForm
lang-native = English
lang-switch = Change language
nav-label = Main
nav-skip = Skip to content
nav-home = Home
nav-profile = Profile
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
landing-lead = SmartAIPlatForm is being built in the open. Today you get a secure account, a profile in your language and a stable API; files, notifications and the assistant follow.
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
password-changed = Your password has been changed. Other sessions have been signed out.

## Status pages
not-found-title = Page not found
not-found-body = The page you are looking for does not exist or has moved.
error-page-title = Something went wrong

## Errors
error-email-required = Enter your e-mail address.
error-email-malformed = This does not look like an e-mail address.
error-email-too_long = This e-mail address is too long.
error-email-taken = This e-mail address is already registered. Sign in instead?
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
error-unauthenticated = Please sign in to continue.
error-forbidden = You are not allowed to do that.
error-not-found = This could not be found.
error-unavailable = The service is temporarily unavailable. Please try again in a moment.
error-internal = An unexpected error happened. It has been logged; please try again.
error-request = The request could not be completed. Check your connection and try again.
