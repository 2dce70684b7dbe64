# The built-in assistant's own words (the quotes are the documents' words).
assistant-found = Das habe ich gefunden:
assistant-source = Quelle:
assistant-nothing-found = Dazu habe ich in Ihren Dateien und auf den Hilfeseiten nichts gefunden. Versuchen Sie es mit anderen Worten, oder laden Sie das Dokument hoch, das die Antwort enthält: Ich kann nur aus Ihren Dateien und den Hilfeseiten antworten.
# Why an answer stopped, for the person who asked.
assistant-failed-unavailable = Der Assistent ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.
assistant-failed-refused = Der Assistent konnte diese Frage nicht beantworten. Wenn das öfter passiert, wenden Sie sich an den Betreiber der Plattform.
assistant-failed-interrupted = Die Antwort wurde unterbrochen. Was angekommen ist, bleibt erhalten; fragen Sie erneut nach dem Rest.
