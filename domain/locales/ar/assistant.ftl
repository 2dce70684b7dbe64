# The built-in assistant's own words (the quotes are the documents' words).
assistant-found = هذا ما وجدته:
assistant-source = المصدر:
assistant-nothing-found = لم أجد شيئًا عن هذا في ملفاتك ولا في صفحات المساعدة. جرّب أن تسأل بكلمات أخرى، أو ارفع المستند الذي يحتوي على الإجابة: لا يمكنني الإجابة إلا من ملفاتك وصفحات المساعدة.
# Why an answer stopped, for the person who asked.
assistant-failed-unavailable = المساعد غير متاح الآن. يُرجى المحاولة مرة أخرى بعد قليل.
assistant-failed-refused = تعذّر على المساعد الإجابة عن هذا السؤال. إذا تكرر ذلك، فأبلغ مشغّل المنصة.
assistant-failed-interrupted = انقطعت الإجابة. ما وصل منها محفوظ؛ اسأل مرة أخرى لتحصل على الباقي.
