## Cadre de l’application
app-name = SmartAIPlatForm
lang-native = Français
lang-switch = Changer de langue
nav-label = Navigation principale
nav-skip = Aller au contenu
nav-home = Accueil
nav-profile = Profil
nav-sign-in = Se connecter
nav-sign-up = S’inscrire
nav-sign-out = Se déconnecter
footer-text = SmartAIPlatForm — vos fichiers, votre assistant, vos données.
loading = Chargement…
action-go-home = Retour à la page d’accueil
welcome-back = Bon retour parmi nous, { $name } !
role-admin = Administrateur

## Page d’accueil
landing-title = Accueil
landing-headline = Une plateforme pour vos documents et l’IA qui les connaît
landing-lead = SmartAIPlatForm se construit en toute transparence. Aujourd’hui, vous disposez d’un compte sécurisé, d’un profil dans votre langue et d’une API stable ; les fichiers, les notifications et l’assistant suivront.
landing-cta-sign-up = Créer un compte gratuit
landing-cta-sign-in = Se connecter
landing-cta-profile = Accéder à votre profil
landing-features-heading = Ce que vous y trouverez
landing-feature-account-title = Un compte sécurisé
landing-feature-account-body = Les mots de passe sont hachés avec Argon2id ; changer le vôtre déconnecte tous vos autres appareils.
landing-feature-language-title = Dans votre langue
landing-feature-language-body = Anglais, allemand, français et arabe, modifiable à tout moment et mémorisé dans votre profil.
landing-feature-everywhere-title = Fonctionne partout
landing-feature-everywhere-body = D’un téléphone de 360 pixels à un ordinateur, en clair ou en sombre, et même sans JavaScript.
landing-feature-api-title = Conçu aussi pour les programmes
landing-feature-api-body = Tout ce que vous pouvez cliquer, un programme peut l’appeler via des points d’accès RPC stables et documentés.

## Connexion et inscription
sign-in-title = Connexion
sign-in-lead = Bon retour parmi nous. Connectez-vous avec votre adresse e-mail et votre mot de passe.
sign-in-submit = Se connecter
sign-in-pending = Connexion en cours…
sign-in-no-account = Pas encore de compte ?
sign-up-title = Créez votre compte
sign-up-lead = Cela ne prend qu’une minute. Vous pourrez tout modifier plus tard depuis votre profil.
sign-up-submit = Créer le compte
sign-up-pending = Création de votre compte…
sign-up-have-account = Vous avez déjà un compte ?

## Champs
field-email = Adresse e-mail
field-password = Mot de passe
field-password-hint = Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner.
field-display-name = Nom affiché
field-display-name-hint = Facultatif. Apparaît dans l’en-tête et auprès des personnes avec qui vous partagez.
field-language = Langue
field-time-zone = Fuseau horaire
field-current-password = Mot de passe actuel
field-new-password = Nouveau mot de passe

## Profil
profile-title = Votre profil
profile-member-since = Membre depuis le
profile-details-heading = Informations
profile-save = Enregistrer les modifications
profile-saved = Votre profil a été enregistré.
password-heading = Changer de mot de passe
password-lead = Vous restez connecté sur cet appareil ; toutes vos autres sessions seront déconnectées.
password-submit = Changer le mot de passe
password-changed = Votre mot de passe a été modifié. Vos autres sessions ont été déconnectées.

## Pages d’état
not-found-title = Page introuvable
not-found-body = La page que vous recherchez n’existe pas ou a été déplacée.
error-page-title = Un problème est survenu

## Erreurs
error-email-required = Saisissez votre adresse e-mail.
error-email-malformed = Cela ne ressemble pas à une adresse e-mail.
error-email-too_long = Cette adresse e-mail est trop longue.
error-email-taken = Cette adresse e-mail est déjà enregistrée. Voulez-vous plutôt vous connecter ?
error-password-required = Saisissez votre mot de passe.
error-password-too_short = Utilisez au moins 12 caractères.
error-password-too_long = Utilisez au plus 256 caractères.
error-password-too_common = Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner.
error-new_password-required = Saisissez un nouveau mot de passe.
error-new_password-too_short = Utilisez au moins 12 caractères.
error-new_password-too_long = Utilisez au plus 256 caractères.
error-new_password-too_common = Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner.
error-new_password-unsupported = Le nouveau mot de passe doit être différent de l’actuel.
error-current_password-required = Saisissez votre mot de passe actuel.
error-display_name-required = Saisissez un nom affiché.
error-display_name-too_long = Utilisez au plus 80 caractères.
error-display_name-malformed = Le nom affiché ne peut contenir ni caractères de contrôle ni chevrons.
error-locale-unsupported = Cette langue n’est pas disponible.
error-time_zone-required = Choisissez un fuseau horaire.
error-time_zone-unsupported = Ce fuseau horaire est inconnu.
error-invalid-credentials = Adresse e-mail ou mot de passe incorrect.
error-wrong-password = Le mot de passe actuel est incorrect.
error-unauthenticated = Veuillez vous connecter pour continuer.
error-forbidden = Vous n’êtes pas autorisé à effectuer cette action.
error-not-found = Élément introuvable.
error-unavailable = Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.
error-internal = Une erreur inattendue s’est produite. Elle a été consignée ; veuillez réessayer.
error-request = La requête n’a pas pu aboutir. Vérifiez votre connexion et réessayez.
