# The built-in assistant's own words (the quotes are the documents' words).
assistant-found = Here is what I found:
assistant-source = Source:
assistant-nothing-found = I could not find anything about this in your files or in the help pages. Try asking with other words, or upload the document that holds the answer: I can only answer from your files and the help pages.
# Why an answer stopped, for the person who asked.
assistant-failed-unavailable = The assistant is not available right now. Please try again in a moment.
assistant-failed-refused = The assistant could not answer this question. If it keeps happening, tell the platform's operator.
assistant-failed-interrupted = The answer was cut off. What arrived is kept; ask again for the rest.
