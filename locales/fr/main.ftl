## Cadre de l’application
app-name = SmartAIPlatForm
lang-native = Français
lang-switch = Changer de langue
nav-label = Navigation principale
nav-skip = Aller au contenu
nav-home = Accueil
nav-profile = Profil
nav-files = Fichiers
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
landing-lead = SmartAIPlatForm se construit en toute transparence. Aujourd’hui, vous disposez d’un compte sécurisé, d’un profil dans votre langue, de vos documents avec aperçus et liens de partage, et de notifications en direct ou par e-mail ; l’assistant suivra.
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
deletion-heading = Supprimer le compte
deletion-lead = Votre profil, vos fichiers, jetons, clés d’accès, notifications et conversations avec l’assistant sont effacés { $days } jours après votre demande. D’ici là, vous connecter annule la suppression ; ensuite, elle est définitive. Vous êtes déconnecté partout immédiatement et les jetons d’accès cessent de fonctionner.
deletion-confirm-lead = Pour confirmer, saisissez votre adresse e-mail : { $email }
deletion-confirm-label = Votre adresse e-mail
deletion-password-hint = Inutile si vous vous êtes connecté ces dernières minutes.
deletion-submit = Supprimer mon compte
password-changed = Votre mot de passe a été modifié. Vos autres sessions ont été déconnectées.
sign-in-forgot = Mot de passe oublié ?
sign-in-reset-done = Votre mot de passe a été réinitialisé. Connectez-vous avec le nouveau.
deletion-scheduled = Votre compte sera supprimé à la fin du délai de grâce, et vous avez été déconnecté partout. Vous avez changé d’avis ? Connectez-vous d’ici là et il sera conservé.
export-heading = Exporter vos données
export-lead = Un fichier zip avec votre profil, vos sessions, vos jetons d’accès (sans leurs secrets), vos méthodes de connexion, vos fichiers sous leur nom d’origine, vos notifications, vos conversations avec l’assistant et les événements de sécurité de votre compte, en JSON. Il est préparé en arrière-plan ; vous êtes averti quand il est prêt et pouvez le télécharger pendant { $hours } heures.
export-request = Exporter mes données
export-requested = Votre export est en préparation. Vous serez averti quand il sera prêt à être téléchargé.
export-none = Vous n’avez pas encore exporté vos données.
export-unavailable = Vos exports ne peuvent pas être affichés pour le moment.
export-asked = Demandé
export-expires = À télécharger avant
export-download = Télécharger
export-status-pending = En préparation…
export-status-ready = Prêt à télécharger
export-status-failed = Échec ; veuillez redemander
export-status-expired = Expiré
forgot-title = Mot de passe oublié ?
forgot-lead = Saisissez votre adresse e-mail. Si elle appartient à un compte, nous envoyons un lien pour choisir un nouveau mot de passe.
forgot-submit = Envoyer le lien
forgot-sent = Si un compte utilise cette adresse, un lien est en route. Vérifiez votre boîte de réception et vos courriers indésirables.
reset-title = Choisissez un nouveau mot de passe
reset-lead = Toutes les sessions de votre compte seront ensuite déconnectées.
reset-submit = Définir le nouveau mot de passe
reset-ask-again = Demander un nouveau lien
verify-title = Confirmez votre adresse e-mail
verify-lead = Confirmez que cette adresse est bien la vôtre, et votre compte sera complet.
verify-submit = Confirmer mon adresse
verify-done = Votre adresse e-mail est confirmée.
verify-pending = Votre adresse e-mail n’est pas encore confirmée : suivez le lien que nous y avons envoyé.
verify-resend = Renvoyer le lien
verify-resent = Un nouveau lien est en route.
sessions-heading = Où vous êtes connecté
sessions-lead = Déconnectez les appareils que vous n’utilisez plus ou que vous ne reconnaissez pas.
sessions-this-device = Cet appareil
sessions-unknown-device = Appareil inconnu
sessions-ip = Adresse IP
sessions-last-seen = Dernière activité
sessions-signed-in = Connecté le
sessions-end = Déconnecter
sessions-end-others = Déconnecter toutes les autres sessions
sessions-ended = Déconnecté. Ces appareils devront se reconnecter.
passkeys-heading = Clés d’accès
passkeys-lead = Connectez-vous avec votre empreinte, votre visage ou le code de votre appareil au lieu d’un mot de passe. La clé d’accès reste sur votre appareil.
passkeys-none = Aucune clé d’accès pour l’instant.
passkeys-name = Nom de la nouvelle clé d’accès
passkeys-name-placeholder = p. ex. Mon ordinateur portable
passkeys-password = Votre mot de passe
passkeys-password-hint = Nécessaire si vous vous êtes connecté il y a plus de 10 minutes.
passkeys-add = Ajouter une clé d’accès
passkeys-add-failed = La clé d’accès n’a pas pu être ajoutée. Réessayez ou utilisez un autre appareil.
passkeys-added = Ajoutée le
passkeys-last-used = Dernière utilisation
passkeys-remove = Supprimer
passkeys-saved = Vos clés d’accès ont été mises à jour.
tokens-heading = Jetons d’accès
tokens-lead = Permettez à des programmes et scripts d’utiliser l’API en votre nom. Chaque jeton a ses propres droits et sa date d’expiration ; révoquez-le dès qu’il n’est plus utile.
tokens-none = Aucun jeton d’accès pour l’instant.
tokens-revoked = Le jeton a été révoqué. Les programmes qui l’utilisent sont désormais refusés.
tokens-made = Jeton « { $name } » créé.
tokens-made-warning = Copiez-le maintenant : il ne sera plus affiché. Quiconque le détient peut agir en votre nom dans les limites de ses droits.
tokens-secret = Votre nouveau jeton d’accès
tokens-copy = Copier
tokens-copied = Copié
tokens-col-name = Nom
tokens-col-scopes = Droits
tokens-col-created = Créé le
tokens-col-expires = Expire le
tokens-col-last-used = Dernière utilisation
tokens-col-actions = Actions
tokens-expired = Expiré
tokens-never-used = Jamais
tokens-revoke = Révoquer
tokens-revoke-confirm = Révoquer « { $name } » ? Les programmes qui utilisent ce jeton cessent aussitôt de fonctionner.
tokens-revoke-submit = Révoquer le jeton
tokens-create-heading = Créer un jeton
tokens-name = Nom du jeton
tokens-name-hint = À quoi il sert, par exemple « Script de sauvegarde ».
tokens-scopes = Droits
tokens-scope-read = Lecture
tokens-scope-read-hint = Voir vos fichiers, votre profil et vos notifications.
tokens-scope-write = Écriture
tokens-scope-write-hint = Téléverser, modifier et supprimer en votre nom.
tokens-scope-admin = Administration
tokens-scope-admin-hint = Utiliser l’API d’administration. Réservé aux administrateurs.
tokens-expires-in = Expire après
tokens-lifetime-7d = 7 jours
tokens-lifetime-30d = 30 jours
tokens-lifetime-90d = 90 jours
tokens-lifetime-365d = 1 an
tokens-create = Créer le jeton
sign-in-or = ou
sign-in-passkey = Se connecter avec une clé d’accès
sign-in-passkey-failed = La connexion avec une clé d’accès n’a pas abouti. Réessayez ou utilisez votre mot de passe.

## Activité de sécurité
activity-heading = Activité de sécurité
activity-lead = Connexions, changements de mot de passe et autres événements de sécurité de votre compte, du plus récent au plus ancien. Si vous n’en reconnaissez pas un, changez votre mot de passe.
activity-none = Aucun événement de sécurité pour l’instant.
activity-unavailable = Votre activité de sécurité ne peut pas être affichée pour le moment.
activity-col-event = Événement
activity-col-time = Heure (UTC)
activity-col-ip = Adresse IP
activity-col-device = Appareil
audit-event-sign_up = Compte créé
audit-event-sign_in = Connexion
audit-event-sign_in_failed = Tentative de connexion échouée
audit-event-sign_out = Déconnexion
audit-event-password_changed = Mot de passe modifié
audit-event-password_reset = Mot de passe réinitialisé
audit-event-session_revoked = Session fermée
audit-event-role_changed = Rôle modifié
audit-event-two_factor_enabled = Authentification à deux facteurs activée
audit-event-two_factor_disabled = Authentification à deux facteurs désactivée
audit-event-provider_linked = Fournisseur de connexion associé
audit-event-provider_unlinked = Fournisseur de connexion dissocié
audit-event-email_verified = Adresse e-mail confirmée
audit-event-passkey_added = Clé d’accès ajoutée
audit-event-passkey_removed = Clé d’accès supprimée
audit-event-token_created = Jeton d’accès créé
audit-event-token_revoked = Jeton d’accès révoqué
audit-event-deletion_requested = Suppression du compte demandée
audit-event-deletion_cancelled = Suppression du compte annulée
audit-event-account_erased = Compte effacé
audit-event-audit_keyed = Journal d’audit scellé par clé
audit-event-audit_pruned = Anciens événements d’audit supprimés (conservation)
audit-event-export_requested = Export des données demandé
audit-event-export_downloaded = Export des données téléchargé
audit-event-flag_changed = Fonctionnalité (drapeau) modifiée

## Pages d’état
not-found-title = Page introuvable
not-found-body = La page que vous recherchez n’existe pas ou a été déplacée.
error-page-title = Un problème est survenu

## Erreurs
error-email-required = Saisissez votre adresse e-mail.
error-email-malformed = Cela ne ressemble pas à une adresse e-mail.
error-email-too_long = Cette adresse e-mail est trop longue.
error-email-taken = Cette adresse e-mail est déjà enregistrée. Voulez-vous plutôt vous connecter ?
error-email-unconfirmed = Confirmez d’abord votre adresse e-mail : suivez le lien que nous vous avons envoyé (vous pouvez en demander un nouveau depuis votre profil).
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
error-too-many-attempts = { $count ->
    [one] Trop de tentatives. Réessayez dans { $count } seconde.
   *[other] Trop de tentatives. Réessayez dans { $count } secondes.
}
error-rate-limited = { $count ->
    [one] Trop de requêtes. Réessayez dans { $count } seconde.
   *[other] Trop de requêtes. Réessayez dans { $count } secondes.
}
error-unauthenticated = Veuillez vous connecter pour continuer.
error-forbidden = Vous n’êtes pas autorisé à effectuer cette action.
error-not-found = Élément introuvable.
error-unavailable = Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.
error-internal = Une erreur inattendue s’est produite. Elle a été consignée ; veuillez réessayer.
error-request = La requête n’a pas pu aboutir. Vérifiez votre connexion et réessayez.
error-file-required = Choisissez un fichier à téléverser.
error-file_name-required = Saisissez un nom de fichier.
error-file_name-too_long = Utilisez au plus 255 caractères.
error-file_name-malformed = Un nom de fichier ne peut contenir ni barres obliques ni caractères de contrôle, ni se terminer par un point.
error-file_name-reserved = Ce nom est réservé par le système. Choisissez-en un autre.
error-avatar-required = Choisissez une image à téléverser.
error-expires_in-too_short = Un lien doit rester valable au moins une minute.
error-expires_in-too_long = Un lien peut rester valable 30 jours au plus.
error-expires_in-malformed = Choisissez la durée de validité du lien.
error-notification_kind-unsupported = Ce type de notification n’existe pas.
error-token-expired = Ce lien a expiré ou a déjà été utilisé. Demandez-en un nouveau.
error-passkey-malformed = La clé d’accès n’a pas pu être vérifiée. Réessayez.
error-passkey-expired = Cette demande de clé d’accès a expiré. Réessayez.
error-passkey-too_long = Utilisez au plus 80 caractères pour le nom.
error-passkey-unsupported = Les clés d’accès ne sont pas disponibles ici : l’application doit être accessible par un nom de domaine.
error-token_name-required = Saisissez un nom pour le jeton.
error-token_name-too_long = Utilisez au plus 80 caractères, sans caractères de contrôle.
error-scopes-required = Choisissez au moins un droit.
error-scopes-unsupported = Ce droit ne peut pas être donné à un jeton.
error-expires_in-unsupported = Choisissez la durée de validité du jeton : un an au plus.
error-upload-required = { $name } : le fichier est vide.
error-upload-too_large = { $name } : le fichier dépasse la taille autorisée.
error-upload-over_quota = { $name } : il ne reste pas assez d’espace dans votre stockage.
error-upload-unsupported = { $name } : ce type de fichier n’est pas accepté. Téléversez des PDF, des images (PNG, JPEG, GIF, WebP) ou du texte.
error-upload-dimensions = { $name } : l’image est trop grande. Utilisez une image de 8192 × 8192 pixels au plus.
error-upload-too_long = { $name } : le nom du fichier est trop long.
error-upload-malformed = { $name } : le nom du fichier n’est pas valide.
error-upload-reserved = { $name } : le nom du fichier est réservé par le système.

## Tailles
size-bytes = { $size } o
size-kb = { $size } Ko
size-mb = { $size } Mo
size-gb = { $size } Go
size-tb = { $size } To

## Fichiers
files-title = Fichiers
files-lead = Vos documents et images, privés tant que vous ne les partagez pas.
files-upload-heading = Téléverser
files-upload-choose = Choisir des fichiers
files-upload-drop = ou déposez-les ici
files-upload-submit = Téléverser
files-upload-progress = Téléversements
files-upload-done = Téléversé
files-upload-pause = Pause
files-upload-resume = Reprendre
files-upload-pause-label = Mettre en pause le téléversement de { $name }
files-upload-resume-label = Reprendre le téléversement de { $name }
files-upload-paused = En pause à { $percent } %
files-upload-resumed = { $percent } % (repris là où il s’était arrêté)
files-usage = { $used } utilisés sur { $quota }. Jusqu’à { $max } par fichier.
files-uploaded = { $count ->
    [one] { $count } fichier téléversé.
   *[other] { $count } fichiers téléversés.
}
files-deleted = Le fichier a été supprimé.
files-list-heading = Vos fichiers
files-search-label = Rechercher par nom
files-search-submit = Rechercher
files-none = Aucun fichier pour l’instant. Téléversez votre premier fichier ci-dessus.
files-none-match = Aucun nom de fichier ne correspond à votre recherche.
files-col-name = Nom
files-col-type = Type
files-col-size = Taille
files-col-uploaded = Téléversé le
files-col-actions = Actions
file-type-text = Texte
files-download = Télécharger
files-rename = Renommer
files-new-name = Nouveau nom
files-rename-submit = Enregistrer le nom
files-delete = Supprimer
files-delete-confirm = Supprimer définitivement « { $name } » ? Cette action est irréversible.
files-delete-submit = Oui, supprimer
files-pages = Pages
files-page-of = Page { $page } sur { $pages } ({ $total } fichiers)
files-previous = Précédent
files-next = Suivant
files-back = ← Tous les fichiers
file-preview = Aperçu
file-no-preview = Aucun aperçu n’est disponible pour ce type de fichier.
file-actions = Actions
file-details = Détails

## Liens de partage
share-heading = Partager
share-lead = Toute personne disposant du lien peut télécharger ce fichier, sans compte, jusqu’à ce qu’il expire ou que vous le révoquiez.
share-expires-in = Durée de validité du lien
share-lifetime-1h = 1 heure
share-lifetime-1d = 1 jour
share-lifetime-7d = 7 jours
share-lifetime-30d = 30 jours
share-create = Créer un lien
share-made = Copiez ce lien maintenant ; il ne s’affiche qu’une seule fois :
share-copy = Copier
share-active = Liens actifs
share-expires-at = Expire le { $at } UTC
share-revoke = Révoquer

## Avatar
avatar-heading = Avatar
avatar-saved = Votre avatar a été mis à jour.
avatar-alt = Votre avatar
avatar-choose = Image
avatar-hint = PNG, JPEG, GIF ou WebP, jusqu’à 10 Mo. L’image est recadrée en carré.
avatar-upload = Téléverser un avatar
avatar-remove = Supprimer l’avatar

## Notifications
nav-notifications = Notifications
notifications-title = Notifications
notifications-bell = { $count ->
    [0] Notifications, aucune non lue
    [one] Notifications, une non lue
   *[other] Notifications, { $count } non lues
}
notifications-none = Rien de nouveau. Les notifications concernant vos fichiers s’affichent ici.
notifications-mark-all = Tout marquer comme lu
notifications-mark-read = Marquer comme lu
notifications-delete = Supprimer
notifications-new = Nouvelle
notification-file_processed = « { $name } » est prêt.
notification-file_failed = « { $name } » n’a pas pu être traité. Ouvrez-le pour le vérifier, ou téléversez-le à nouveau.
notification-file_refused = « { $name } » a été refusé : une fois décompressé, il devient trop volumineux pour être lu. Il est conservé, mais ne peut pas être recherché.
notification-export_ready = Votre export de données est prêt à être téléchargé.
notification-settings-heading = Notifications
notification-settings-lead = Choisissez comment vous êtes informé de chaque type d’événement.
notification-settings-kind = Événement
notification-settings-in-app = Dans l’application
notification-settings-email = Par e-mail
notification-settings-save = Enregistrer les préférences de notification
notification-settings-saved = Préférences de notification enregistrées.
notification-kind-file_processed = Un fichier a été traité
notification-kind-file_failed = Un fichier n’a pas pu être traité
notification-kind-file_refused = Un fichier a été refusé car trop volumineux une fois décompressé
notification-kind-export_ready = Un export de données est prêt

## Authentification à deux facteurs
sign-in-code-title = Saisissez votre code
sign-in-code-lead = L’authentification à deux facteurs est activée sur votre compte. Saisissez le code à 6 chiffres affiché par votre application d’authentification, ou l’un de vos codes de récupération.
sign-in-code-hint = Un code de l’application, ou un code de récupération comme abcde-fghjk.
sign-in-code-submit = Continuer
sign-in-code-again = Recommencer la connexion
field-code = Code
field-two-factor-proof = Mot de passe ou code
error-code-required = Saisissez un code.
error-code-incorrect = Ce code est erroné ou a déjà été utilisé.
error-confirmation-required = Saisissez votre adresse e-mail pour confirmer.
error-confirmation-incorrect = Ce n’est pas l’adresse e-mail de votre compte.
error-role-unsupported = Vous ne pouvez pas faire cela à votre propre compte.
error-role-last_admin = C’est le seul administrateur : nommez d’abord quelqu’un d’autre administrateur.
error-challenge-expired = Cette connexion a expiré. Saisissez à nouveau votre adresse e-mail et votre mot de passe.
error-two_factor-unsupported = L’authentification à deux facteurs est déjà dans cet état. Rechargez la page.
two-factor-heading = Authentification à deux facteurs
two-factor-lead = Connectez-vous avec un code d’une application d’authentification sur votre téléphone, en plus de votre mot de passe.
two-factor-on = L’authentification à deux facteurs est activée.
two-factor-off = L’authentification à deux facteurs est désactivée.
two-factor-codes-left = Codes de récupération restants :
two-factor-start = Configurer l’authentification à deux facteurs
two-factor-step-scan = Scannez ce code QR avec votre application d’authentification, ou saisissez la clé secrète ci-dessous.
two-factor-step-code = Saisissez le code à 6 chiffres affiché par l’application pour activer l’authentification à deux facteurs.
two-factor-qr-alt = Code QR pour ajouter votre compte à une application d’authentification
two-factor-secret = Clé secrète :
two-factor-confirm = Activer
two-factor-codes-intro = Conservez ces codes de récupération en lieu sûr. Chacun vous connecte une fois si votre téléphone n’est pas à portée de main. Ils ne sont affichés que maintenant.
two-factor-codes-label = Codes de récupération
two-factor-regenerate-heading = Nouveaux codes de récupération
two-factor-regenerate = Créer de nouveaux codes de récupération
two-factor-disable-heading = Désactiver
two-factor-disable = Désactiver l’authentification à deux facteurs
two-factor-disabled = L’authentification à deux facteurs est désactivée.
# Connexion via des fournisseurs OpenID Connect
sign-in-with = Se connecter avec { $provider }
oidc-error-provider = Ce fournisseur de connexion n’est pas configuré.
oidc-error-denied = La connexion a été annulée chez le fournisseur. Vous n’êtes pas connecté.
oidc-error-state = Cette tentative de connexion a expiré ou a déjà été utilisée. Veuillez recommencer.
oidc-error-failed = La réponse du fournisseur n’a pas pu être vérifiée. Veuillez réessayer.
oidc-error-unverified = Un compte utilise déjà cette adresse e-mail, et le fournisseur n’a pas confirmé qu’elle vous appartient. Connectez-vous plutôt avec votre mot de passe.
oidc-error-email = Le fournisseur n’a pas transmis d’adresse e-mail ; aucun compte ne peut donc être créé.
oidc-error-two_factor = Votre compte utilise la connexion à deux facteurs. Connectez-vous avec votre mot de passe et votre code, puis associez le fournisseur depuis votre profil.
oidc-error-linked_elsewhere = Ce compte du fournisseur est déjà lié à un autre compte ici. Connectez-vous avec lui pour utiliser ce compte, ou déliez-le d’abord là-bas.
oidc-error-internal = Un problème est survenu de notre côté. Veuillez réessayer.
oidc-link-title = Lier votre compte
oidc-link-lead = Un compte existe déjà avec cette adresse e-mail. Saisissez une fois son mot de passe pour lier le fournisseur ; vous pourrez ensuite vous connecter de l’une ou l’autre façon.
oidc-link-submit = Lier et se connecter
oidc-link-error-password = Mot de passe incorrect.
oidc-link-error-throttled = Trop de tentatives. Patientez un instant puis réessayez.
providers-heading = Fournisseurs de connexion liés
providers-lead = Les services avec lesquels vous pouvez vous connecter au lieu de votre mot de passe.
providers-none = Aucun fournisseur n’est lié.
providers-link = Lier { $provider }
providers-linked-at = Lié le
providers-unlink = Délier
providers-linked = Le fournisseur a été lié à votre compte.
providers-unlinked = Le fournisseur a été délié.
error-provider-last_sign_in_method = C’est votre seul moyen de connexion. Définissez d’abord un mot de passe (via « Mot de passe oublié ? ») ou liez un autre fournisseur.

## The assistant
assistant-open = Ouvrir l’assistant
assistant-title = Assistant
assistant-close = Fermer l’assistant
assistant-usage = { $count } questions sur { $limit } aujourd’hui
assistant-conversations = Conversations
assistant-new = Nouvelle conversation
assistant-rename = Renommer
assistant-rename-named = Renommer « { $title } »
assistant-rename-label = Titre de la conversation
assistant-rename-save = Enregistrer
assistant-rename-cancel = Annuler
assistant-delete = Supprimer
assistant-delete-named = Supprimer « { $title } »
assistant-delete-confirm = Supprimer « { $title } » et tous ses messages ?
assistant-delete-yes = Oui, supprimer
assistant-delete-no = La garder
assistant-empty = Posez n’importe quelle question sur vos documents. Les réponses citent les fichiers dont elles proviennent.
assistant-question = Votre question
assistant-question-placeholder = Interrogez vos documents… (Entrée envoie, Maj+Entrée ajoute une ligne)
assistant-send = Envoyer
assistant-stop = Arrêter
assistant-stopped = La réponse a été arrêtée.
assistant-answered = La réponse est complète.
assistant-failed = L’assistant ne peut pas répondre pour le moment. Ce qui est déjà arrivé est conservé ; réessayez dans un instant.
assistant-sources = Sources
assistant-page-lead = Vos conversations avec l’assistant. Ouvrez l’assistant depuis l’en-tête pour poser une question.
assistant-none = Aucune conversation pour l’instant. Ouvrez l’assistant depuis l’en-tête pour poser votre première question.
assistant-pick = Choisissez une conversation pour la lire.
error-question-required = Saisissez une question.
error-question-too_long = Cette question est trop longue. Raccourcissez-la et réessayez.
error-question-daily_limit = Vous avez atteint la limite du jour pour l’assistant. Elle est remise à zéro à minuit UTC.
error-title-required = Saisissez un titre.
error-title-too_long = Le titre peut compter au plus 200 caractères.

## Help
nav-help = Aide
help-title = Aide
help-lead = Comment fonctionne SmartAIPlatForm. L’assistant cite aussi ces pages.
help-none = Aucune page d’aide pour l’instant.
help-back = Toutes les pages d’aide

## Dates and times (the server sends them in the reader's time zone)
date-time = { $day } { $month } { $year } à { $time }
month-1 = janv.
month-2 = févr.
month-3 = mars
month-4 = avr.
month-5 = mai
month-6 = juin
month-7 = juil.
month-8 = août
month-9 = sept.
month-10 = oct.
month-11 = nov.
month-12 = déc.
time-just-now = à l’instant
time-minutes-ago = { $count ->
    [one] il y a 1 minute
   *[other] il y a { $count } minutes
}
time-hours-ago = { $count ->
    [one] il y a 1 heure
   *[other] il y a { $count } heures
}

admin-title = Administration
admin-lead = Comptes et drapeaux de fonctionnalité. Chaque modification est consignée dans le journal d’audit.
admin-users-heading = Comptes
admin-users-search = Rechercher par e-mail ou nom
admin-users-role = Rôle
admin-role-any = Tous les rôles
admin-role-user = Utilisateur
admin-role-admin = Administrateur
admin-users-filter = Rechercher
admin-users-none = Aucun compte ne correspond.
admin-users-next = Page suivante
admin-col-email = E-mail
admin-col-name = Nom
admin-col-role = Rôle
admin-col-since = Membre depuis
admin-col-actions = Actions
admin-make-admin = Rendre administrateur
admin-make-user = Rendre utilisateur
admin-delete = Supprimer
admin-delete-confirm = Supprimer { $email } maintenant ? Le compte cesse aussitôt de fonctionner et tout ce qu’il possède est effacé. C’est irréversible.
admin-delete-submit = Oui, supprimer le compte
admin-flags-heading = Drapeaux de fonctionnalité
admin-flags-lead = Activez ou désactivez une fonctionnalité, ouvrez-la à une part des utilisateurs (chacun garde son côté quand la part grandit), ou nommez des utilisateurs et des rôles qui l’ont toujours ou jamais. Toutes les instances suivent aussitôt.
admin-flags-saved = Le drapeau a été enregistré.
admin-flag-enabled = Activé
admin-flag-rollout = Part des utilisateurs (%)
admin-flag-allow-users = Toujours pour ces utilisateurs
admin-flag-deny-users = Jamais pour ces utilisateurs
admin-flag-users-hint = Adresses e-mail, une par ligne. « Jamais » l’emporte sur « toujours », les utilisateurs sur les rôles.
admin-flag-allow-roles = Toujours pour ces rôles
admin-flag-deny-roles = Jamais pour ces rôles
admin-flag-updated = Dernière modification
admin-flag-save = Enregistrer le drapeau
nav-admin = Administration
error-email-unsupported = L’une de ces adresses n’appartient à aucun compte.
error-rollout-malformed = Saisissez un nombre entier de 0 à 100.
error-rollout-too_large = La part ne peut pas dépasser 100 %.
