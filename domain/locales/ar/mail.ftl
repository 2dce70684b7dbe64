mail-greeting = مرحبًا { $user }،
mail-footer = تصلك هذه الرسالة بسبب إعدادات الإشعارات لديك. يمكنك تغييرها من هنا: { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = «{ $name }» جاهز
mail-file_processed-body = تمت معالجة ملفك «{ $name }» وهو جاهز للاستخدام.
mail-file_failed-subject = تعذّرت معالجة «{ $name }»
mail-file_failed-body = حدث خطأ أثناء معالجة ملفك «{ $name }». ليست له معاينة ولا يمكن البحث فيه. افتحه للتحقق منه، أو ارفعه مرة أخرى.
mail-open = افتحه: { $link }
