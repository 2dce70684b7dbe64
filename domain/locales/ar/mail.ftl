mail-greeting = مرحبًا { $user }،
mail-footer = تصلك هذه الرسالة بسبب إعدادات الإشعارات لديك. يمكنك تغييرها من هنا: { $settings }
mail-signature = SmartAIPlatForm

mail-file_processed-subject = «{ $name }» جاهز
mail-file_processed-body = تمت معالجة ملفك «{ $name }» وهو جاهز للاستخدام.
mail-file_failed-subject = تعذّرت معالجة «{ $name }»
mail-file_failed-body = حدث خطأ أثناء معالجة ملفك «{ $name }». ليست له معاينة ولا يمكن البحث فيه. افتحه للتحقق منه، أو ارفعه مرة أخرى.
mail-file_refused-subject = رُفض «{ $name }» لأنه كبير جدًا بعد فك ضغطه
mail-file_refused-body = يصبح ملفك «{ $name }» بعد فك ضغطه أكبر من أن يُقرأ بأمان، لذلك رُفض: ليست له معاينة ولا يمكن البحث فيه. لا يزال محفوظًا، ويمكنك تنزيله أو حذفه.
mail-export_ready-subject = تصدير بياناتك جاهز
mail-export_ready-body = النسخة التي طلبتها من بياناتك جاهزة. سجّل الدخول ونزّلها من ملفك الشخصي خلال { $hours } ساعة؛ وبعدها تُحذف.
mail-open = افتحه: { $link }

mail-footer-account = تصلك هذه الرسالة بسبب إجراء على حسابك في SmartAIPlatForm.
mail-verify_email-subject = أكّد عنوان بريدك الإلكتروني
mail-verify_email-body = يُرجى تأكيد أن هذا عنوان بريدك الإلكتروني بفتح هذا الرابط خلال { $hours } ساعة: { $action }
mail-reset_password-subject = إعادة تعيين كلمة المرور
mail-reset_password-body = طلب أحدهم إعادة تعيين كلمة مرور حسابك. إن كنت أنت، فاختر كلمة مرور جديدة خلال { $hours } ساعة من هنا: { $action }

    إن لم تكن أنت، فتجاهل هذه الرسالة: تبقى كلمة مرورك كما هي.

mail-security-subject = تغيّرت بيانات تسجيل الدخول إلى حسابك
mail-security-body = حدث للتو ما يلي في حسابك: { $event }.
    الوقت: { $when }. من عنوان IP ‏{ $ip }.

    إن كنت أنت، فلا حاجة لفعل شيء. وإن لم تكن أنت، فغيّر كلمة المرور الآن وتحقّق من نشاط الأمان في حسابك: { $action }
mail-security-event-password_changed = تم تغيير كلمة المرور
mail-security-event-password_reset = تمت إعادة تعيين كلمة المرور
mail-security-event-two_factor_enabled = تم تفعيل تسجيل الدخول بخطوتين
mail-security-event-two_factor_disabled = تم إيقاف تسجيل الدخول بخطوتين
mail-security-event-passkey_added = تمت إضافة مفتاح مرور
mail-security-event-token_created = تم إنشاء رمز وصول
mail-security-event-deletion_requested = طلبت حذف حسابك؛ سجّل الدخول قبل انتهاء مهلة السماح للاحتفاظ به
mail-security-event-deletion_cancelled = سجّلت الدخول، لذا لن يُحذف حسابك
mail-security-event-provider_linked = تم ربط مزوّد تسجيل دخول
