## Rahmen der Anwendung
app-name = SmartAIPlatForm
lang-native = Deutsch
lang-switch = Sprache ändern
nav-label = Hauptnavigation
nav-skip = Zum Inhalt springen
nav-home = Startseite
nav-profile = Profil
nav-files = Dateien
nav-sign-in = Anmelden
nav-sign-up = Registrieren
nav-sign-out = Abmelden
footer-text = SmartAIPlatForm – Ihre Dateien, Ihr Assistent, Ihre Daten.
loading = Wird geladen …
action-go-home = Zurück zur Startseite
welcome-back = Willkommen zurück, { $name }!
role-admin = Administrator

## Startseite
landing-title = Startseite
landing-headline = Eine Plattform für Ihre Dokumente und die KI, die sie kennt
landing-lead = SmartAIPlatForm entsteht offen. Heute erhalten Sie ein sicheres Konto, ein Profil in Ihrer Sprache, Ihre Dokumente mit Vorschau und Freigabelinks sowie Benachrichtigungen, live oder per E-Mail; der Assistent folgt.
landing-cta-sign-up = Kostenloses Konto erstellen
landing-cta-sign-in = Anmelden
landing-cta-profile = Zu Ihrem Profil
landing-features-heading = Was Sie erwartet
landing-feature-account-title = Ein sicheres Konto
landing-feature-account-body = Passwörter werden mit Argon2id gehasht; wenn Sie Ihres ändern, werden alle anderen Geräte abgemeldet.
landing-feature-language-title = In Ihrer Sprache
landing-feature-language-body = Englisch, Deutsch, Französisch und Arabisch – jederzeit umschaltbar und in Ihrem Profil gespeichert.
landing-feature-everywhere-title = Funktioniert überall
landing-feature-everywhere-body = Vom 360-Pixel-Smartphone bis zum Desktop, hell oder dunkel, und sogar mit ausgeschaltetem JavaScript.
landing-feature-api-title = Auch für Programme gebaut
landing-feature-api-body = Alles, was Sie anklicken können, kann ein Programm über stabile, dokumentierte RPC-Endpunkte aufrufen.

## Anmelden und Registrieren
sign-in-title = Anmelden
sign-in-lead = Willkommen zurück. Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.
sign-in-submit = Anmelden
sign-in-pending = Anmeldung läuft …
sign-in-no-account = Noch kein Konto?
sign-up-title = Konto erstellen
sign-up-lead = Das dauert nur eine Minute. Alle Angaben können Sie später in Ihrem Profil ändern.
sign-up-submit = Konto erstellen
sign-up-pending = Ihr Konto wird erstellt …
sign-up-have-account = Sie haben bereits ein Konto?

## Felder
field-email = E-Mail-Adresse
field-password = Passwort
field-password-hint = Mindestens 12 Zeichen. Ein Satz aus mehreren Wörtern ist leicht zu merken und schwer zu erraten.
field-display-name = Anzeigename
field-display-name-hint = Optional. Wird in der Kopfzeile angezeigt und für Personen, mit denen Sie etwas teilen.
field-language = Sprache
field-time-zone = Zeitzone
field-current-password = Aktuelles Passwort
field-new-password = Neues Passwort

## Profil
profile-title = Ihr Profil
profile-member-since = Mitglied seit
profile-details-heading = Angaben
profile-save = Änderungen speichern
profile-saved = Ihr Profil wurde gespeichert.
password-heading = Passwort ändern
password-lead = Auf diesem Gerät bleiben Sie angemeldet; alle anderen Sitzungen werden abgemeldet.
password-submit = Passwort ändern
deletion-heading = Konto löschen
deletion-lead = Ihr Profil, Ihre Dateien, Tokens, Passkeys, Benachrichtigungen und Assistenten-Unterhaltungen werden { $days } Tage nach Ihrem Antrag gelöscht. Bis dahin bricht eine Anmeldung die Löschung ab; danach lässt sie sich nicht rückgängig machen. Sie werden sofort überall abgemeldet, und Zugriffstokens funktionieren nicht mehr.
deletion-confirm-lead = Geben Sie zur Bestätigung Ihre E-Mail-Adresse ein: { $email }
deletion-confirm-label = Ihre E-Mail-Adresse
deletion-password-hint = Nicht nötig, wenn Sie sich in den letzten Minuten angemeldet haben.
deletion-submit = Mein Konto löschen
password-changed = Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden abgemeldet.
sign-in-forgot = Passwort vergessen?
sign-in-reset-done = Ihr Passwort wurde zurückgesetzt. Melden Sie sich mit dem neuen an.
deletion-scheduled = Ihr Konto wird nach Ablauf der Frist gelöscht, und Sie wurden überall abgemeldet. Doch anders entschieden? Melden Sie sich vorher an, dann bleibt es bestehen.
export-heading = Ihre Daten exportieren
export-lead = Eine ZIP-Datei mit Ihrem Profil, Ihren Anmeldesitzungen, Zugriffstokens (ohne deren Geheimnisse), Anmeldemethoden, Ihren Dateien unter ihren ursprünglichen Namen, Benachrichtigungen, Assistenten-Unterhaltungen und den Sicherheitsereignissen Ihres Kontos, als JSON. Sie wird im Hintergrund erstellt; Sie werden benachrichtigt, sobald sie bereit ist, und können sie { $hours } Stunden lang herunterladen.
export-request = Meine Daten exportieren
export-requested = Ihr Export wird erstellt. Sie werden benachrichtigt, sobald er zum Herunterladen bereit ist.
export-none = Sie haben Ihre Daten noch nicht exportiert.
export-unavailable = Ihre Exporte können gerade nicht angezeigt werden.
export-asked = Angefordert
export-expires = Herunterladen bis
export-download = Herunterladen
export-status-pending = Wird erstellt …
export-status-ready = Bereit zum Herunterladen
export-status-failed = Fehlgeschlagen; bitte erneut anfordern
export-status-expired = Abgelaufen
forgot-title = Passwort vergessen?
forgot-lead = Geben Sie Ihre E-Mail-Adresse ein. Gehört sie zu einem Konto, senden wir einen Link, mit dem Sie ein neues Passwort wählen.
forgot-submit = Link senden
forgot-sent = Wenn ein Konto diese Adresse nutzt, ist ein Link unterwegs. Sehen Sie in Ihrem Posteingang und im Spam-Ordner nach.
reset-title = Neues Passwort wählen
reset-lead = Danach werden alle Sitzungen Ihres Kontos abgemeldet.
reset-submit = Neues Passwort festlegen
reset-ask-again = Neuen Link anfordern
verify-title = E-Mail-Adresse bestätigen
verify-lead = Bestätigen Sie, dass diese Adresse Ihnen gehört, dann ist Ihr Konto vollständig.
verify-submit = Meine Adresse bestätigen
verify-done = Ihre E-Mail-Adresse ist bestätigt.
verify-pending = Ihre E-Mail-Adresse ist noch nicht bestätigt: Folgen Sie dem Link, den wir an sie gesendet haben.
verify-resend = Link erneut senden
verify-resent = Ein neuer Link ist unterwegs.
sessions-heading = Wo Sie angemeldet sind
sessions-lead = Melden Sie Geräte ab, die Sie nicht mehr nutzen oder nicht kennen.
sessions-this-device = Dieses Gerät
sessions-unknown-device = Unbekanntes Gerät
sessions-ip = IP-Adresse
sessions-last-seen = Zuletzt aktiv
sessions-signed-in = Angemeldet
sessions-end = Abmelden
sessions-end-others = Alle anderen Sitzungen abmelden
sessions-ended = Abgemeldet. Diese Geräte müssen sich erneut anmelden.
passkeys-heading = Passkeys
passkeys-lead = Melden Sie sich mit Fingerabdruck, Gesicht oder Geräte-PIN statt mit einem Passwort an. Der Passkey bleibt auf Ihrem Gerät.
passkeys-none = Noch keine Passkeys.
passkeys-name = Name des neuen Passkeys
passkeys-name-placeholder = z. B. Mein Laptop
passkeys-password = Ihr Passwort
passkeys-password-hint = Nötig, wenn Sie sich vor mehr als 10 Minuten angemeldet haben.
passkeys-add = Passkey hinzufügen
passkeys-add-failed = Der Passkey konnte nicht hinzugefügt werden. Versuchen Sie es erneut oder verwenden Sie ein anderes Gerät.
passkeys-added = Hinzugefügt
passkeys-last-used = Zuletzt verwendet
passkeys-remove = Entfernen
passkeys-saved = Ihre Passkeys wurden aktualisiert.
tokens-heading = Zugriffstoken
tokens-lead = Lassen Sie Programme und Skripte die API in Ihrem Namen nutzen. Jedes Token hat eigene Berechtigungen und ein Ablaufdatum; widerrufen Sie es, sobald es nicht mehr gebraucht wird.
tokens-none = Noch keine Zugriffstoken.
tokens-revoked = Das Token wurde widerrufen. Programme, die es nutzen, werden ab jetzt abgewiesen.
tokens-made = Token „{ $name }“ erstellt.
tokens-made-warning = Kopieren Sie es jetzt: Es wird nicht noch einmal angezeigt. Wer es besitzt, kann im Rahmen seiner Berechtigungen als Sie handeln.
tokens-secret = Ihr neues Zugriffstoken
tokens-copy = Kopieren
tokens-copied = Kopiert
tokens-col-name = Name
tokens-col-scopes = Berechtigungen
tokens-col-created = Erstellt
tokens-col-expires = Läuft ab
tokens-col-last-used = Zuletzt verwendet
tokens-col-actions = Aktionen
tokens-expired = Abgelaufen
tokens-never-used = Nie
tokens-revoke = Widerrufen
tokens-revoke-confirm = „{ $name }“ widerrufen? Programme, die dieses Token nutzen, funktionieren sofort nicht mehr.
tokens-revoke-submit = Token widerrufen
tokens-create-heading = Token erstellen
tokens-name = Name des Tokens
tokens-name-hint = Wofür es gedacht ist, z. B. „Backup-Skript“.
tokens-scopes = Berechtigungen
tokens-scope-read = Lesen
tokens-scope-read-hint = Ihre Dateien, Ihr Profil und Ihre Benachrichtigungen ansehen.
tokens-scope-write = Schreiben
tokens-scope-write-hint = In Ihrem Namen hochladen, ändern und löschen.
tokens-scope-admin = Verwaltung
tokens-scope-admin-hint = Die Verwaltungs-API nutzen. Nur für Administratoren.
tokens-expires-in = Gültig für
tokens-lifetime-7d = 7 Tage
tokens-lifetime-30d = 30 Tage
tokens-lifetime-90d = 90 Tage
tokens-lifetime-365d = 1 Jahr
tokens-create = Token erstellen
sign-in-or = oder
sign-in-passkey = Mit einem Passkey anmelden
sign-in-passkey-failed = Die Anmeldung mit einem Passkey hat nicht geklappt. Versuchen Sie es erneut oder verwenden Sie Ihr Passwort.

## Sicherheitsaktivität
activity-heading = Sicherheitsaktivität
activity-lead = Anmeldungen, Passwortänderungen und andere sicherheitsrelevante Ereignisse Ihres Kontos, die neuesten zuerst. Wenn Sie einen Eintrag nicht wiedererkennen, ändern Sie Ihr Passwort.
activity-none = Noch keine Sicherheitsereignisse.
activity-unavailable = Ihre Sicherheitsaktivität kann gerade nicht angezeigt werden.
activity-col-event = Ereignis
activity-col-time = Zeit (UTC)
activity-col-ip = IP-Adresse
activity-col-device = Gerät
audit-event-sign_up = Konto erstellt
audit-event-sign_in = Angemeldet
audit-event-sign_in_failed = Fehlgeschlagener Anmeldeversuch
audit-event-sign_out = Abgemeldet
audit-event-password_changed = Passwort geändert
audit-event-password_reset = Passwort zurückgesetzt
audit-event-session_revoked = Sitzung beendet
audit-event-role_changed = Rolle geändert
audit-event-two_factor_enabled = Zwei-Faktor-Authentifizierung eingeschaltet
audit-event-two_factor_disabled = Zwei-Faktor-Authentifizierung ausgeschaltet
audit-event-provider_linked = Anmeldedienst verknüpft
audit-event-provider_unlinked = Anmeldedienst getrennt
audit-event-email_verified = E-Mail-Adresse bestätigt
audit-event-passkey_added = Passkey hinzugefügt
audit-event-passkey_removed = Passkey entfernt
audit-event-token_created = Zugriffstoken erstellt
audit-event-token_revoked = Zugriffstoken widerrufen
audit-event-deletion_requested = Kontolöschung beantragt
audit-event-deletion_cancelled = Kontolöschung abgebrochen
audit-event-account_erased = Konto gelöscht
audit-event-audit_keyed = Protokoll mit Schlüssel gesichert
audit-event-audit_pruned = Alte Protokolleinträge entfernt (Aufbewahrung)
audit-event-export_requested = Datenexport angefordert
audit-event-export_downloaded = Datenexport heruntergeladen
audit-event-flag_changed = Feature-Flag geändert

## Statusseiten
not-found-title = Seite nicht gefunden
not-found-body = Die gesuchte Seite existiert nicht oder wurde verschoben.
error-page-title = Etwas ist schiefgelaufen

## Fehler
error-email-required = Geben Sie Ihre E-Mail-Adresse ein.
error-email-malformed = Das sieht nicht nach einer E-Mail-Adresse aus.
error-email-too_long = Diese E-Mail-Adresse ist zu lang.
error-email-taken = Diese E-Mail-Adresse ist bereits registriert. Möchten Sie sich stattdessen anmelden?
error-email-unconfirmed = Bestätigen Sie zuerst Ihre E-Mail-Adresse: Folgen Sie dem Link, den wir Ihnen geschickt haben (einen neuen können Sie in Ihrem Profil anfordern).
error-password-required = Geben Sie Ihr Passwort ein.
error-password-too_short = Verwenden Sie mindestens 12 Zeichen.
error-password-too_long = Verwenden Sie höchstens 256 Zeichen.
error-password-too_common = Dieses Passwort ist zu häufig. Wählen Sie eines, das schwerer zu erraten ist.
error-new_password-required = Geben Sie ein neues Passwort ein.
error-new_password-too_short = Verwenden Sie mindestens 12 Zeichen.
error-new_password-too_long = Verwenden Sie höchstens 256 Zeichen.
error-new_password-too_common = Dieses Passwort ist zu häufig. Wählen Sie eines, das schwerer zu erraten ist.
error-new_password-unsupported = Das neue Passwort muss sich vom aktuellen unterscheiden.
error-current_password-required = Geben Sie Ihr aktuelles Passwort ein.
error-display_name-required = Geben Sie einen Anzeigenamen ein.
error-display_name-too_long = Verwenden Sie höchstens 80 Zeichen.
error-display_name-malformed = Der Anzeigename darf keine Steuerzeichen und keine spitzen Klammern enthalten.
error-locale-unsupported = Diese Sprache ist nicht verfügbar.
error-time_zone-required = Wählen Sie eine Zeitzone.
error-time_zone-unsupported = Diese Zeitzone ist unbekannt.
error-invalid-credentials = E-Mail-Adresse oder Passwort ist falsch.
error-wrong-password = Das aktuelle Passwort ist nicht korrekt.
error-too-many-attempts = { $count ->
    [one] Zu viele Versuche. Versuchen Sie es in einer Sekunde erneut.
   *[other] Zu viele Versuche. Versuchen Sie es in { $count } Sekunden erneut.
}
error-rate-limited = { $count ->
    [one] Zu viele Anfragen. Versuchen Sie es in einer Sekunde erneut.
   *[other] Zu viele Anfragen. Versuchen Sie es in { $count } Sekunden erneut.
}
error-unauthenticated = Bitte melden Sie sich an, um fortzufahren.
error-forbidden = Dazu sind Sie nicht berechtigt.
error-not-found = Das konnte nicht gefunden werden.
error-unavailable = Der Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.
error-internal = Ein unerwarteter Fehler ist aufgetreten. Er wurde protokolliert; bitte versuchen Sie es erneut.
error-request = Die Anfrage konnte nicht abgeschlossen werden. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.
error-file-required = Wählen Sie eine Datei zum Hochladen aus.
error-file_name-required = Geben Sie einen Dateinamen ein.
error-file_name-too_long = Verwenden Sie höchstens 255 Zeichen.
error-file_name-malformed = Ein Dateiname darf keine Schrägstriche oder Steuerzeichen enthalten und nicht mit einem Punkt enden.
error-file_name-reserved = Dieser Name ist vom System reserviert. Wählen Sie einen anderen.
error-avatar-required = Wählen Sie ein Bild zum Hochladen aus.
error-expires_in-too_short = Ein Link muss mindestens eine Minute lang gültig sein.
error-expires_in-too_long = Ein Link kann höchstens 30 Tage lang gültig sein.
error-expires_in-malformed = Wählen Sie, wie lange der Link gültig sein soll.
error-notification_kind-unsupported = Diese Art von Benachrichtigung gibt es nicht.
error-token-expired = Dieser Link ist abgelaufen oder wurde bereits verwendet. Fordern Sie einen neuen an.
error-passkey-malformed = Der Passkey konnte nicht überprüft werden. Versuchen Sie es erneut.
error-passkey-expired = Diese Passkey-Anfrage ist abgelaufen. Versuchen Sie es erneut.
error-passkey-too_long = Verwenden Sie höchstens 80 Zeichen für den Namen.
error-passkey-unsupported = Passkeys sind hier nicht verfügbar: Die App muss über einen Domainnamen erreichbar sein.
error-token_name-required = Geben Sie einen Namen für das Token ein.
error-token_name-too_long = Verwenden Sie höchstens 80 Zeichen und keine Steuerzeichen.
error-scopes-required = Wählen Sie mindestens eine Berechtigung.
error-scopes-unsupported = Diese Berechtigung kann einem Token nicht gegeben werden.
error-expires_in-unsupported = Wählen Sie, wie lange das Token gelten soll: höchstens ein Jahr.
error-upload-required = { $name }: Die Datei ist leer.
error-upload-too_large = { $name }: Die Datei ist größer als erlaubt.
error-upload-over_quota = { $name }: In Ihrem Speicher ist nicht mehr genügend Platz frei.
error-upload-unsupported = { $name }: Dieser Dateityp wird nicht akzeptiert. Laden Sie PDF-Dateien, Bilder (PNG, JPEG, GIF, WebP) oder Text hoch.
error-upload-dimensions = { $name }: Das Bild ist zu groß. Verwenden Sie eines mit höchstens 8192 × 8192 Pixeln.
error-upload-too_long = { $name }: Der Dateiname ist zu lang.
error-upload-malformed = { $name }: Der Dateiname ist ungültig.
error-upload-reserved = { $name }: Der Dateiname ist vom System reserviert.

## Größen
size-bytes = { $size } B
size-kb = { $size } KB
size-mb = { $size } MB
size-gb = { $size } GB
size-tb = { $size } TB

## Dateien
files-title = Dateien
files-lead = Ihre Dokumente und Bilder – privat, solange Sie sie nicht teilen.
files-upload-heading = Hochladen
files-upload-choose = Dateien auswählen
files-upload-drop = oder hier ablegen
files-upload-submit = Hochladen
files-upload-progress = Uploads
files-upload-done = Hochgeladen
files-upload-pause = Anhalten
files-upload-resume = Fortsetzen
files-upload-pause-label = Hochladen von { $name } anhalten
files-upload-resume-label = Hochladen von { $name } fortsetzen
files-upload-paused = Angehalten bei { $percent } %
files-upload-resumed = { $percent } % (dort fortgesetzt, wo es abbrach)
files-usage = { $used } von { $quota } belegt. Pro Datei bis zu { $max }.
files-uploaded = { $count ->
    [one] Eine Datei hochgeladen.
   *[other] { $count } Dateien hochgeladen.
}
files-deleted = Die Datei wurde gelöscht.
files-list-heading = Ihre Dateien
files-search-label = Nach Namen suchen
files-search-submit = Suchen
files-none = Noch keine Dateien. Laden Sie oben Ihre erste Datei hoch.
files-none-match = Kein Dateiname passt zu Ihrer Suche.
files-col-name = Name
files-col-type = Typ
files-col-size = Größe
files-col-uploaded = Hochgeladen
files-col-actions = Aktionen
file-type-text = Text
files-download = Herunterladen
files-rename = Umbenennen
files-new-name = Neuer Name
files-rename-submit = Namen speichern
files-delete = Löschen
files-delete-confirm = „{ $name }“ endgültig löschen? Dies kann nicht rückgängig gemacht werden.
files-delete-submit = Ja, löschen
files-pages = Seiten
files-page-of = Seite { $page } von { $pages } ({ $total } Dateien)
files-previous = Zurück
files-next = Weiter
files-back = ← Alle Dateien
file-preview = Vorschau
file-no-preview = Für diesen Dateityp gibt es keine Vorschau.
file-actions = Aktionen
file-details = Details

## Freigabelinks
share-heading = Teilen
share-lead = Jede Person mit dem Link kann diese Datei ohne Konto herunterladen, bis der Link abläuft oder Sie ihn widerrufen.
share-expires-in = Link gültig für
share-lifetime-1h = 1 Stunde
share-lifetime-1d = 1 Tag
share-lifetime-7d = 7 Tage
share-lifetime-30d = 30 Tage
share-create = Link erstellen
share-made = Kopieren Sie diesen Link jetzt; er wird nur einmal angezeigt:
share-copy = Kopieren
share-active = Aktive Links
share-expires-at = Gültig bis { $at } UTC
share-revoke = Widerrufen

## Profilbild
avatar-heading = Profilbild
avatar-saved = Ihr Profilbild wurde aktualisiert.
avatar-alt = Ihr Profilbild
avatar-choose = Bild
avatar-hint = PNG, JPEG, GIF oder WebP, bis zu 10 MB. Das Bild wird quadratisch zugeschnitten.
avatar-upload = Profilbild hochladen
avatar-remove = Profilbild entfernen

## Benachrichtigungen
nav-notifications = Benachrichtigungen
notifications-title = Benachrichtigungen
notifications-bell = { $count ->
    [0] Benachrichtigungen, keine ungelesen
    [one] Benachrichtigungen, eine ungelesen
   *[other] Benachrichtigungen, { $count } ungelesen
}
notifications-none = Nichts Neues. Benachrichtigungen zu Ihren Dateien erscheinen hier.
notifications-mark-all = Alle als gelesen markieren
notifications-mark-read = Als gelesen markieren
notifications-delete = Löschen
notifications-new = Neu
notification-file_processed = „{ $name }“ ist bereit.
notification-file_failed = „{ $name }“ konnte nicht verarbeitet werden. Öffnen Sie die Datei, um sie zu prüfen, oder laden Sie sie erneut hoch.
notification-file_refused = „{ $name }“ wurde abgelehnt: Entpackt wird sie zu groß, um gelesen zu werden. Sie bleibt gespeichert, ist aber nicht durchsuchbar.
notification-export_ready = Ihr Datenexport ist zum Herunterladen bereit.
notification-settings-heading = Benachrichtigungen
notification-settings-lead = Wählen Sie, wie Sie von jeder Art von Ereignis erfahren.
notification-settings-kind = Ereignis
notification-settings-in-app = In der App
notification-settings-email = Per E-Mail
notification-settings-save = Benachrichtigungseinstellungen speichern
notification-settings-saved = Benachrichtigungseinstellungen gespeichert.
notification-kind-file_processed = Eine Datei wurde verarbeitet
notification-kind-file_failed = Eine Datei konnte nicht verarbeitet werden
notification-kind-file_refused = Eine Datei wurde abgelehnt, weil sie entpackt zu groß ist
notification-kind-export_ready = Ein Datenexport ist bereit

## Zwei-Faktor-Authentifizierung
sign-in-code-title = Code eingeben
sign-in-code-lead = Für Ihr Konto ist die Zwei-Faktor-Authentifizierung aktiviert. Geben Sie den sechsstelligen Code aus Ihrer Authenticator-App oder einen Ihrer Wiederherstellungscodes ein.
sign-in-code-hint = Ein Code aus der App oder ein Wiederherstellungscode wie abcde-fghjk.
sign-in-code-submit = Weiter
sign-in-code-again = Anmeldung neu beginnen
field-code = Code
field-two-factor-proof = Passwort oder Code
error-code-required = Geben Sie einen Code ein.
error-code-incorrect = Dieser Code ist falsch oder wurde bereits verwendet.
error-confirmation-required = Geben Sie zur Bestätigung Ihre E-Mail-Adresse ein.
error-confirmation-incorrect = Das ist nicht die E-Mail-Adresse Ihres Kontos.
error-role-unsupported = Das können Sie mit Ihrem eigenen Konto nicht tun.
error-role-last_admin = Dies ist der einzige Administrator: Machen Sie zuerst jemand anderen zum Administrator.
error-challenge-expired = Diese Anmeldung ist abgelaufen. Geben Sie Ihre E-Mail-Adresse und Ihr Passwort erneut ein.
error-two_factor-unsupported = Die Zwei-Faktor-Authentifizierung ist bereits in diesem Zustand. Laden Sie die Seite neu.
two-factor-heading = Zwei-Faktor-Authentifizierung
two-factor-lead = Melden Sie sich zusätzlich zum Passwort mit einem Code aus einer Authenticator-App auf Ihrem Telefon an.
two-factor-on = Die Zwei-Faktor-Authentifizierung ist aktiviert.
two-factor-off = Die Zwei-Faktor-Authentifizierung ist deaktiviert.
two-factor-codes-left = Verbleibende Wiederherstellungscodes:
two-factor-start = Zwei-Faktor-Authentifizierung einrichten
two-factor-step-scan = Scannen Sie diesen QR-Code mit Ihrer Authenticator-App oder geben Sie den geheimen Schlüssel unten ein.
two-factor-step-code = Geben Sie den sechsstelligen Code aus der App ein, um die Zwei-Faktor-Authentifizierung zu aktivieren.
two-factor-qr-alt = QR-Code, um Ihr Konto zu einer Authenticator-App hinzuzufügen
two-factor-secret = Geheimer Schlüssel:
two-factor-confirm = Aktivieren
two-factor-codes-intro = Bewahren Sie diese Wiederherstellungscodes sicher auf. Jeder meldet Sie einmal an, falls Ihr Telefon nicht zur Hand ist. Sie werden nur jetzt angezeigt.
two-factor-codes-label = Wiederherstellungscodes
two-factor-regenerate-heading = Neue Wiederherstellungscodes
two-factor-regenerate = Neue Wiederherstellungscodes erstellen
two-factor-disable-heading = Deaktivieren
two-factor-disable = Zwei-Faktor-Authentifizierung deaktivieren
two-factor-disabled = Die Zwei-Faktor-Authentifizierung ist deaktiviert.
# Anmeldung über OpenID-Connect-Anbieter
sign-in-with = Mit { $provider } anmelden
oidc-error-provider = Dieser Anmeldedienst ist nicht eingerichtet.
oidc-error-denied = Die Anmeldung wurde beim Anbieter abgebrochen. Sie sind nicht angemeldet.
oidc-error-state = Dieser Anmeldevorgang ist abgelaufen oder wurde bereits verwendet. Bitte beginnen Sie erneut.
oidc-error-failed = Die Antwort des Anbieters konnte nicht überprüft werden. Bitte versuchen Sie es erneut.
oidc-error-unverified = Ein Konto verwendet diese E-Mail-Adresse bereits, und der Anbieter hat nicht bestätigt, dass sie Ihnen gehört. Melden Sie sich stattdessen mit Ihrem Passwort an.
oidc-error-email = Der Anbieter hat keine E-Mail-Adresse übermittelt, daher kann kein Konto angelegt werden.
oidc-error-two_factor = Ihr Konto nutzt die Zwei-Faktor-Anmeldung. Melden Sie sich mit Passwort und Code an und verknüpfen Sie den Anbieter dann in Ihrem Profil.
oidc-error-linked_elsewhere = Dieses Anbieterkonto ist hier bereits mit einem anderen Konto verknüpft. Melden Sie sich damit an, um jenes Konto zu nutzen, oder heben Sie die Verknüpfung dort zuerst auf.
oidc-error-internal = Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.
oidc-link-title = Konto verknüpfen
oidc-link-lead = Es gibt bereits ein Konto mit dieser E-Mail-Adresse. Geben Sie einmal dessen Passwort ein, um den Anbieter zu verknüpfen; danach können Sie sich auf beide Arten anmelden.
oidc-link-submit = Verknüpfen und anmelden
oidc-link-error-password = Falsches Passwort.
oidc-link-error-throttled = Zu viele Versuche. Warten Sie einen Moment und versuchen Sie es erneut.
providers-heading = Verknüpfte Anmeldedienste
providers-lead = Dienste, mit denen Sie sich statt mit Ihrem Passwort anmelden können.
providers-none = Kein Anbieter verknüpft.
providers-link = { $provider } verknüpfen
providers-linked-at = Verknüpft am
providers-unlink = Verknüpfung lösen
providers-linked = Der Anbieter wurde mit Ihrem Konto verknüpft.
providers-unlinked = Die Verknüpfung mit dem Anbieter wurde gelöst.
error-provider-last_sign_in_method = Dies ist Ihre einzige Anmeldemöglichkeit. Legen Sie zuerst ein Passwort fest (über „Passwort vergessen?“) oder verknüpfen Sie einen weiteren Anbieter.

## The assistant
assistant-open = Assistenten öffnen
assistant-title = Assistent
assistant-close = Assistenten schließen
assistant-usage = { $count } von { $limit } Fragen heute
assistant-conversations = Unterhaltungen
assistant-new = Neue Unterhaltung
assistant-rename = Umbenennen
assistant-rename-named = „{ $title }“ umbenennen
assistant-rename-label = Titel der Unterhaltung
assistant-rename-save = Speichern
assistant-rename-cancel = Abbrechen
assistant-delete = Löschen
assistant-delete-named = „{ $title }“ löschen
assistant-delete-confirm = „{ $title }“ mit allen Nachrichten löschen?
assistant-delete-yes = Ja, löschen
assistant-delete-no = Behalten
assistant-empty = Fragen Sie alles zu Ihren Dokumenten. Antworten nennen die Dateien, aus denen sie stammen.
assistant-question = Ihre Frage
assistant-question-placeholder = Fragen Sie zu Ihren Dokumenten … (Eingabe sendet, Umschalt+Eingabe fügt eine Zeile ein)
assistant-send = Senden
assistant-stop = Stoppen
assistant-stopped = Die Antwort wurde gestoppt.
assistant-answered = Die Antwort ist vollständig.
assistant-failed = Der Assistent kann gerade nicht antworten. Was bisher kam, bleibt erhalten; bitte versuchen Sie es gleich noch einmal.
assistant-sources = Quellen
assistant-page-lead = Ihre Unterhaltungen mit dem Assistenten. Öffnen Sie den Assistenten in der Kopfzeile, um eine Frage zu stellen.
assistant-none = Noch keine Unterhaltungen. Öffnen Sie den Assistenten in der Kopfzeile und stellen Sie Ihre erste Frage.
assistant-pick = Wählen Sie eine Unterhaltung, um sie zu lesen.
error-question-required = Geben Sie eine Frage ein.
error-question-too_long = Diese Frage ist zu lang. Kürzen Sie sie und versuchen Sie es erneut.
error-question-daily_limit = Sie haben das heutige Limit des Assistenten erreicht. Es wird um Mitternacht (UTC) zurückgesetzt.
error-title-required = Geben Sie einen Titel ein.
error-title-too_long = Der Titel darf höchstens 200 Zeichen lang sein.

## Help
nav-help = Hilfe
help-title = Hilfe
help-lead = So funktioniert SmartAIPlatForm. Auch der Assistent verweist auf diese Seiten.
help-none = Noch keine Hilfeseiten.
help-back = Alle Hilfeseiten

## Dates and times (the server sends them in the reader's time zone)
date-time = { $day }. { $month } { $year }, { $time }
month-1 = Jan.
month-2 = Feb.
month-3 = März
month-4 = Apr.
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = Aug.
month-9 = Sept.
month-10 = Okt.
month-11 = Nov.
month-12 = Dez.
time-just-now = gerade eben
time-minutes-ago = { $count ->
    [one] vor 1 Minute
   *[other] vor { $count } Minuten
}
time-hours-ago = { $count ->
    [one] vor 1 Stunde
   *[other] vor { $count } Stunden
}

admin-title = Verwaltung
admin-lead = Konten und Feature-Flags. Jede Änderung wird im Audit-Protokoll festgehalten.
admin-users-heading = Konten
admin-users-search = Nach E-Mail oder Name suchen
admin-users-role = Rolle
admin-role-any = Alle Rollen
admin-role-user = Benutzer
admin-role-admin = Administrator
admin-users-filter = Suchen
admin-users-none = Kein Konto passt.
admin-users-next = Nächste Seite
admin-col-email = E-Mail
admin-col-name = Name
admin-col-role = Rolle
admin-col-since = Mitglied seit
admin-col-actions = Aktionen
admin-make-admin = Zum Administrator machen
admin-make-user = Zum Benutzer machen
admin-delete = Löschen
admin-delete-confirm = { $email } jetzt löschen? Das Konto funktioniert sofort nicht mehr, und alles, was ihm gehört, wird gelöscht. Das lässt sich nicht rückgängig machen.
admin-delete-submit = Ja, Konto löschen
admin-flags-heading = Feature-Flags
admin-flags-lead = Schalten Sie eine Funktion ein oder aus, geben Sie sie einem Anteil der Benutzer frei (jeder behält seine Seite, wenn der Anteil wächst), oder nennen Sie Benutzer und Rollen, die sie immer oder nie bekommen. Alle Instanzen folgen sofort.
admin-flags-saved = Das Flag wurde gespeichert.
admin-flag-enabled = An
admin-flag-rollout = Anteil der Benutzer (%)
admin-flag-allow-users = Immer für diese Benutzer
admin-flag-deny-users = Nie für diese Benutzer
admin-flag-users-hint = E-Mail-Adressen, eine pro Zeile. „Nie“ geht vor „immer“, Benutzer vor Rollen.
admin-flag-allow-roles = Immer für diese Rollen
admin-flag-deny-roles = Nie für diese Rollen
admin-flag-updated = Zuletzt geändert
admin-flag-save = Flag speichern
nav-admin = Verwaltung
error-email-unsupported = Eine dieser Adressen gehört zu keinem Konto.
error-rollout-malformed = Geben Sie eine ganze Zahl von 0 bis 100 ein.
error-rollout-too_large = Der Anteil kann nicht über 100 % liegen.
