mail-greeting = Hallo { $user },
mail-footer = Sie erhalten diese E-Mail aufgrund Ihrer Benachrichtigungseinstellungen. Hier können Sie sie ändern: { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = „{ $name }“ ist bereit
mail-file_processed-body = Ihre Datei „{ $name }“ wurde verarbeitet und steht bereit.
mail-file_failed-subject = „{ $name }“ konnte nicht verarbeitet werden
mail-file_failed-body = Bei der Verarbeitung Ihrer Datei „{ $name }“ ist etwas schiefgegangen. Sie hat keine Vorschau und ist nicht durchsuchbar. Öffnen Sie sie, um sie zu prüfen, oder laden Sie sie erneut hoch.
mail-file_refused-subject = „{ $name }“ wurde abgelehnt: entpackt zu groß
mail-file_refused-body = Ihre Datei „{ $name }“ wird beim Entpacken zu groß, um sicher gelesen zu werden, und wurde daher abgelehnt: Sie hat keine Vorschau und ist nicht durchsuchbar. Sie bleibt gespeichert; Sie können sie herunterladen oder löschen.
mail-export_ready-subject = Ihr Datenexport ist bereit
mail-export_ready-body = Die angeforderte Kopie Ihrer Daten ist bereit. Melden Sie sich an und laden Sie sie innerhalb von { $hours } Stunden in Ihrem Profil herunter; danach wird sie gelöscht.
mail-open = Öffnen: { $link }

mail-footer-account = Sie erhalten diese E-Mail aufgrund einer Aktion in Ihrem SmartAIPlatForm-Konto.
mail-verify_email-subject = Bestätigen Sie Ihre E-Mail-Adresse
mail-verify_email-body = Bitte bestätigen Sie, dass dies Ihre E-Mail-Adresse ist, indem Sie innerhalb von { $hours } Stunden diesen Link öffnen: { $action }
mail-reset_password-subject = Passwort zurücksetzen
mail-reset_password-body = Jemand hat das Zurücksetzen des Passworts Ihres Kontos angefordert. Wenn Sie das waren, wählen Sie hier innerhalb von { $hours } Stunden ein neues Passwort: { $action }

    Wenn Sie es nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.

mail-security-subject = Die Anmeldedaten Ihres Kontos wurden geändert
mail-security-body = Soeben ist in Ihrem Konto Folgendes geschehen: { $event }.
    Wann: { $when }. Von der IP-Adresse { $ip }.

    Wenn Sie das waren, ist nichts zu tun. Wenn nicht, ändern Sie jetzt Ihr Passwort und prüfen Sie die Sicherheitsaktivität Ihres Kontos: { $action }
mail-security-event-password_changed = Ihr Passwort wurde geändert
mail-security-event-password_reset = Ihr Passwort wurde zurückgesetzt
mail-security-event-two_factor_enabled = die Zwei-Faktor-Anmeldung wurde eingeschaltet
mail-security-event-two_factor_disabled = die Zwei-Faktor-Anmeldung wurde ausgeschaltet
mail-security-event-passkey_added = ein Passkey wurde hinzugefügt
mail-security-event-token_created = ein Zugriffstoken wurde erstellt
mail-security-event-deletion_requested = Sie haben die Löschung Ihres Kontos beantragt; melden Sie sich vor Ablauf der Frist an, um es zu behalten
mail-security-event-deletion_cancelled = Sie haben sich angemeldet, daher wird Ihr Konto nicht gelöscht
mail-security-event-provider_linked = ein Anmeldeanbieter wurde verknüpft
