# The built-in assistant's own words (the quotes are the documents' words).
assistant-found = Voici ce que j’ai trouvé :
assistant-source = Source :
assistant-nothing-found = Je n’ai rien trouvé à ce sujet dans vos fichiers ni dans les pages d’aide. Essayez avec d’autres mots, ou téléversez le document qui contient la réponse : je ne peux répondre qu’à partir de vos fichiers et des pages d’aide.
# Why an answer stopped, for the person who asked.
assistant-failed-unavailable = L’assistant n’est pas disponible pour le moment. Réessayez dans un instant.
assistant-failed-refused = L’assistant n’a pas pu répondre à cette question. Si cela se reproduit, prévenez l’opérateur de la plateforme.
assistant-failed-interrupted = La réponse a été interrompue. Ce qui est arrivé est conservé ; reposez la question pour la suite.
