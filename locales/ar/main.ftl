## إطار التطبيق
app-name = SmartAIPlatForm
meta-description = منصة واحدة لمستنداتك وللذكاء الاصطناعي الذي يعرفها: حساب آمن، وملفاتك مع المعاينات وروابط المشاركة، وإشعارات فورية، ومساعد يجيب من مستنداتك.
lang-native = العربية
lang-switch = تغيير اللغة
nav-label = القائمة الرئيسية
nav-skip = الانتقال إلى المحتوى
nav-home = الرئيسية
nav-profile = الملف الشخصي
nav-files = الملفات
nav-sign-in = تسجيل الدخول
nav-sign-up = إنشاء حساب
nav-sign-out = تسجيل الخروج
footer-text = SmartAIPlatForm — ملفاتك، ومساعدك، وبياناتك.
loading = جارٍ التحميل…
action-go-home = العودة إلى الصفحة الرئيسية
welcome-back = مرحبًا بعودتك يا { $name }!
role-admin = مدير النظام

## الصفحة الرئيسية
landing-title = الرئيسية
landing-headline = منصة واحدة لمستنداتك وللذكاء الاصطناعي الذي يعرفها
landing-lead = يُبنى SmartAIPlatForm بشكل مفتوح. تحصل اليوم على حساب آمن وملف شخصي بلغتك ومستنداتك مع المعاينات وروابط المشاركة، وإشعارات تصلك مباشرة أو بالبريد الإلكتروني؛ وسيتبعها المساعد.
landing-cta-sign-up = أنشئ حسابًا مجانيًا
landing-cta-sign-in = تسجيل الدخول
landing-cta-profile = انتقل إلى ملفك الشخصي
landing-features-heading = ما الذي ستحصل عليه
landing-feature-account-title = حساب آمن
landing-feature-account-body = تُجزّأ كلمات المرور باستخدام Argon2id، وتغيير كلمة مرورك يسجّل خروج جميع أجهزتك الأخرى.
landing-feature-language-title = بلغتك
landing-feature-language-body = الإنجليزية والألمانية والفرنسية والعربية، يمكنك التبديل بينها في أي وقت وتُحفظ في ملفك الشخصي.
landing-feature-everywhere-title = يعمل في كل مكان
landing-feature-everywhere-body = من هاتف بعرض 360 بكسل إلى الحاسوب المكتبي، بالوضع الفاتح أو الداكن، وحتى مع تعطيل JavaScript.
landing-feature-api-title = مصمم للبرامج أيضًا
landing-feature-api-body = كل ما يمكنك النقر عليه، يمكن لأي برنامج استدعاؤه عبر نقاط RPC مستقرة وموثّقة.

## تسجيل الدخول وإنشاء حساب
sign-in-title = تسجيل الدخول
sign-in-lead = مرحبًا بعودتك. سجّل الدخول باستخدام عنوان بريدك الإلكتروني وكلمة المرور.
sign-in-submit = تسجيل الدخول
sign-in-pending = جارٍ تسجيل الدخول…
sign-in-no-account = ليس لديك حساب بعد؟
sign-up-title = أنشئ حسابك
sign-up-lead = لن يستغرق ذلك سوى دقيقة، ويمكنك تغيير كل شيء لاحقًا من ملفك الشخصي.
sign-up-submit = إنشاء الحساب
sign-up-pending = جارٍ إنشاء حسابك…
sign-up-have-account = لديك حساب بالفعل؟

## الحقول
field-email = عنوان البريد الإلكتروني
field-password = كلمة المرور
field-password-hint = يجب ألا تقل عن 12 حرفًا. العبارة المكوّنة من عدة كلمات سهلة التذكّر وصعبة التخمين.
field-display-name = الاسم المعروض
field-display-name-hint = اختياري. يظهر في أعلى الصفحة وللأشخاص الذين تشارك معهم.
field-language = اللغة
field-time-zone = المنطقة الزمنية
field-time-zone-hint = اكتب للبحث، مثل Asia/Riyadh أو Europe/Berlin.
field-current-password = كلمة المرور الحالية
field-new-password = كلمة المرور الجديدة

## الملف الشخصي
profile-title = ملفك الشخصي
profile-member-since = عضو منذ
profile-details-heading = التفاصيل
profile-save = حفظ التغييرات
profile-saved = تم حفظ ملفك الشخصي.
password-heading = تغيير كلمة المرور
password-lead = ستبقى متصلًا على هذا الجهاز، وسيتم تسجيل خروجك من جميع الجلسات الأخرى.
password-submit = تغيير كلمة المرور
deletion-heading = حذف الحساب
deletion-lead = يُمحى ملفك الشخصي وملفاتك ورموزك ومفاتيح المرور والإشعارات ومحادثات المساعد بعد { $days } أيام من طلبك. حتى ذلك الحين، يلغي تسجيل الدخول الحذف؛ وبعده لا يمكن التراجع عنه. يُسجَّل خروجك من كل مكان فورًا وتتوقف رموز الوصول عن العمل.
deletion-confirm-lead = للتأكيد، اكتب عنوان بريدك الإلكتروني: { $email }
deletion-confirm-label = عنوان بريدك الإلكتروني
deletion-password-hint = غير مطلوبة إذا سجّلت الدخول خلال الدقائق القليلة الماضية.
deletion-submit = احذف حسابي
password-changed = تم تغيير كلمة المرور، وتم تسجيل الخروج من الجلسات الأخرى.
sign-in-forgot = هل نسيت كلمة المرور؟
sign-in-reset-done = تمت إعادة تعيين كلمة المرور. سجّل الدخول بالكلمة الجديدة.
deletion-scheduled = سيُحذف حسابك عند انتهاء مهلة السماح، وقد سُجّل خروجك من كل مكان. غيّرت رأيك؟ سجّل الدخول قبل ذلك وسيبقى حسابك.
export-heading = تصدير بياناتك
export-lead = ملف zip يضم ملفك الشخصي وجلسات تسجيل الدخول ورموز الوصول (دون أسرارها) وطرق تسجيل الدخول وملفاتك بأسمائها الأصلية والإشعارات ومحادثات المساعد والأحداث الأمنية لحسابك، بصيغة JSON. يُجهَّز في الخلفية، وستُبلَّغ حين يصبح جاهزًا، ويمكنك تنزيله خلال { $hours } ساعة.
export-request = تصدير بياناتي
export-requested = يجري تجهيز التصدير. ستُبلَّغ حين يصبح جاهزًا للتنزيل.
export-none = لم تُصدِّر بياناتك بعد.
export-unavailable = تعذّر عرض عمليات التصدير الآن.
export-asked = طُلب
export-expires = نزّله قبل
export-download = تنزيل
export-status-pending = قيد التجهيز…
export-status-ready = جاهز للتنزيل
export-status-failed = فشل؛ يُرجى الطلب مجددًا
export-status-expired = انتهت صلاحيته
forgot-title = هل نسيت كلمة المرور؟
forgot-lead = أدخل عنوان بريدك الإلكتروني. إن كان يخص حسابًا، فسنرسل رابطًا لاختيار كلمة مرور جديدة.
forgot-submit = أرسل الرابط
forgot-sent = إن كان هناك حساب يستخدم هذا العنوان، فالرابط في طريقه إليه. تحقّق من صندوق الوارد ومجلد الرسائل غير المرغوب فيها.
reset-title = اختر كلمة مرور جديدة
reset-lead = بعد ذلك يتم تسجيل الخروج من جميع جلسات حسابك.
reset-submit = تعيين كلمة المرور الجديدة
reset-ask-again = اطلب رابطًا جديدًا
verify-title = أكّد عنوان بريدك الإلكتروني
verify-lead = أكّد أن هذا العنوان لك، ليكتمل حسابك.
verify-submit = تأكيد عنواني
verify-done = تم تأكيد عنوان بريدك الإلكتروني.
verify-pending = لم يتم تأكيد عنوان بريدك الإلكتروني بعد: اتبع الرابط الذي أرسلناه إليه.
verify-resend = أعد إرسال الرابط
verify-resent = رابط جديد في طريقه إليك.
sessions-heading = الأجهزة التي سجّلت الدخول منها
sessions-lead = سجّل الخروج من الأجهزة التي لم تعد تستخدمها أو لا تعرفها.
sessions-this-device = هذا الجهاز
sessions-unknown-device = جهاز غير معروف
sessions-ip = عنوان IP
sessions-last-seen = آخر نشاط
sessions-signed-in = تسجيل الدخول
sessions-end = تسجيل الخروج
sessions-end-others = تسجيل الخروج من جميع الجلسات الأخرى
sessions-ended = تم تسجيل الخروج. يجب على تلك الأجهزة تسجيل الدخول من جديد.
passkeys-heading = مفاتيح المرور
passkeys-lead = سجّل الدخول ببصمتك أو وجهك أو رمز جهازك بدلًا من كلمة المرور. يبقى مفتاح المرور على جهازك.
passkeys-none = لا توجد مفاتيح مرور بعد.
passkeys-name = اسم مفتاح المرور الجديد
passkeys-name-placeholder = مثلًا: حاسوبي المحمول
passkeys-password = كلمة مرورك
passkeys-password-hint = مطلوبة إذا سجّلت الدخول قبل أكثر من 10 دقائق.
passkeys-add = إضافة مفتاح مرور
passkeys-add-failed = تعذّرت إضافة مفتاح المرور. حاول مرة أخرى أو استخدم جهازًا آخر.
passkeys-added = أُضيف في
passkeys-last-used = آخر استخدام
passkeys-remove = إزالة
passkeys-saved = تم تحديث مفاتيح المرور.
tokens-heading = رموز الوصول
tokens-lead = اسمح للبرامج والنصوص البرمجية باستخدام واجهة البرمجة نيابةً عنك. لكل رمز صلاحياته وتاريخ انتهائه؛ ألغِه حالما لا تعود بحاجة إليه.
tokens-none = لا توجد رموز وصول بعد.
tokens-revoked = أُلغي الرمز. ستُرفض البرامج التي تستخدمه من الآن فصاعدًا.
tokens-made = أُنشئ الرمز «{ $name }».
tokens-made-warning = انسخه الآن: لن يُعرض مرة أخرى. يستطيع كل من يملكه التصرف باسمك ضمن صلاحياته.
tokens-secret = رمز الوصول الجديد
tokens-copy = نسخ
tokens-copied = نُسخ
tokens-col-name = الاسم
tokens-col-scopes = الصلاحيات
tokens-col-created = أُنشئ في
tokens-col-expires = ينتهي في
tokens-col-last-used = آخر استخدام
tokens-col-actions = الإجراءات
tokens-expired = منتهي الصلاحية
tokens-never-used = لم يُستخدم قط
tokens-revoke = إلغاء
tokens-revoke-confirm = هل تريد إلغاء «{ $name }»؟ ستتوقف البرامج التي تستخدم هذا الرمز عن العمل فورًا.
tokens-revoke-submit = إلغاء الرمز
tokens-create-heading = إنشاء رمز
tokens-name = اسم الرمز
tokens-name-hint = الغرض منه، مثل «نص النسخ الاحتياطي».
tokens-scopes = الصلاحيات
tokens-scope-read = القراءة
tokens-scope-read-hint = عرض ملفاتك وملفك الشخصي وإشعاراتك.
tokens-scope-write = الكتابة
tokens-scope-write-hint = الرفع والتعديل والحذف نيابةً عنك.
tokens-scope-admin = الإدارة
tokens-scope-admin-hint = استخدام واجهة برمجة الإدارة. للمسؤولين فقط.
tokens-expires-in = ينتهي بعد
tokens-lifetime-7d = 7 أيام
tokens-lifetime-30d = 30 يومًا
tokens-lifetime-90d = 90 يومًا
tokens-lifetime-365d = سنة واحدة
tokens-create = إنشاء الرمز
sign-in-or = أو
sign-in-passkey = تسجيل الدخول بمفتاح مرور
sign-in-passkey-failed = لم ينجح تسجيل الدخول بمفتاح المرور. حاول مرة أخرى أو استخدم كلمة المرور.

## النشاط الأمني
activity-heading = النشاط الأمني
activity-lead = عمليات تسجيل الدخول وتغيير كلمة المرور وغيرها من الأحداث الأمنية في حسابك، الأحدث أولًا. إذا وجدت حدثًا لا تعرفه، فغيّر كلمة المرور.
activity-none = لا توجد أحداث أمنية بعد.
activity-unavailable = لا يمكن عرض نشاطك الأمني الآن.
activity-col-event = الحدث
activity-col-time = الوقت (UTC)
activity-col-ip = عنوان IP
activity-col-device = الجهاز
audit-event-sign_up = إنشاء الحساب
audit-event-sign_in = تسجيل الدخول
audit-event-sign_in_failed = محاولة تسجيل دخول فاشلة
audit-event-sign_out = تسجيل الخروج
audit-event-password_changed = تغيير كلمة المرور
audit-event-password_reset = إعادة تعيين كلمة المرور
audit-event-session_revoked = إنهاء جلسة
audit-event-role_changed = تغيير الدور
audit-event-two_factor_enabled = تفعيل المصادقة الثنائية
audit-event-two_factor_disabled = إيقاف المصادقة الثنائية
audit-event-provider_linked = ربط مزوّد تسجيل الدخول
audit-event-provider_unlinked = إلغاء ربط مزوّد تسجيل الدخول
audit-event-email_verified = تأكيد عنوان البريد الإلكتروني
audit-event-passkey_added = تمت إضافة مفتاح مرور
audit-event-passkey_removed = تمت إزالة مفتاح مرور
audit-event-token_created = تم إنشاء رمز وصول
audit-event-token_revoked = تم إلغاء رمز وصول
audit-event-deletion_requested = طُلب حذف الحساب
audit-event-deletion_cancelled = أُلغي حذف الحساب
audit-event-account_erased = مُحي الحساب
audit-event-audit_keyed = تم تأمين سجل التدقيق بمفتاح
audit-event-audit_pruned = حُذفت أحداث التدقيق القديمة (الاحتفاظ)
audit-event-export_requested = طُلب تصدير البيانات
audit-event-export_downloaded = نُزّل تصدير البيانات
audit-event-flag_changed = تغيّر مفتاح ميزة
audit-event-account_suspended = أوقف مدير الحساب
audit-event-account_reactivated = أعاد مدير تفعيل الحساب
audit-event-job_retried = أعاد مدير تشغيل مهمة فاشلة
audit-event-password_reset_sent = أرسل مدير رابط إعادة تعيين كلمة المرور
audit-event-job_discarded = تخلّص مدير من مهمة فاشلة

## صفحات الحالة
not-found-title = الصفحة غير موجودة
not-found-body = الصفحة التي تبحث عنها غير موجودة أو نُقلت إلى مكان آخر.
error-page-title = حدث خطأ ما

## الأخطاء
error-email-required = أدخل عنوان بريدك الإلكتروني.
error-email-malformed = لا يبدو هذا عنوان بريد إلكتروني صالحًا.
error-email-too_long = عنوان البريد الإلكتروني هذا طويل جدًا.
error-email-taken = عنوان البريد الإلكتروني هذا مسجّل بالفعل. هل تريد تسجيل الدخول بدلًا من ذلك؟
error-email-unconfirmed = أكّد عنوان بريدك الإلكتروني أولًا: اتبع الرابط الذي أرسلناه إليك (يمكنك طلب رابط جديد من ملفك الشخصي).
error-password-required = أدخل كلمة المرور.
error-password-too_short = استخدم 12 حرفًا على الأقل.
error-password-too_long = استخدم 256 حرفًا على الأكثر.
error-password-too_common = كلمة المرور هذه شائعة جدًا. اختر كلمة مرور يصعب تخمينها.
error-new_password-required = أدخل كلمة مرور جديدة.
error-new_password-too_short = استخدم 12 حرفًا على الأقل.
error-new_password-too_long = استخدم 256 حرفًا على الأكثر.
error-new_password-too_common = كلمة المرور هذه شائعة جدًا. اختر كلمة مرور يصعب تخمينها.
error-new_password-unsupported = يجب أن تختلف كلمة المرور الجديدة عن كلمة المرور الحالية.
error-current_password-required = أدخل كلمة المرور الحالية.
error-display_name-required = أدخل الاسم المعروض.
error-display_name-too_long = استخدم 80 حرفًا على الأكثر.
error-display_name-malformed = لا يمكن أن يحتوي الاسم المعروض على محارف تحكّم أو أقواس زاوية.
error-locale-unsupported = هذه اللغة غير متاحة.
error-time_zone-required = اختر منطقة زمنية.
error-time_zone-unsupported = هذه المنطقة الزمنية غير معروفة.
error-invalid-credentials = عنوان البريد الإلكتروني أو كلمة المرور غير صحيحة.
error-wrong-password = كلمة المرور الحالية غير صحيحة.
error-too-many-attempts = { $count ->
    [one] محاولات كثيرة جدًا. حاول مرة أخرى بعد ثانية واحدة.
    [two] محاولات كثيرة جدًا. حاول مرة أخرى بعد ثانيتين.
    [few] محاولات كثيرة جدًا. حاول مرة أخرى بعد { $count } ثوانٍ.
   *[other] محاولات كثيرة جدًا. حاول مرة أخرى بعد { $count } ثانية.
}
error-rate-limited = { $count ->
    [one] طلبات كثيرة جدًا. حاول مرة أخرى بعد ثانية واحدة.
    [two] طلبات كثيرة جدًا. حاول مرة أخرى بعد ثانيتين.
    [few] طلبات كثيرة جدًا. حاول مرة أخرى بعد { $count } ثوانٍ.
   *[other] طلبات كثيرة جدًا. حاول مرة أخرى بعد { $count } ثانية.
}
error-unauthenticated = يُرجى تسجيل الدخول للمتابعة.
error-forbidden = ليس لديك إذن للقيام بذلك.
error-not-found = تعذّر العثور على ما تبحث عنه.
error-version-conflict = تغيّر هذا في هذه الأثناء: حُفظت نسخة أخرى أولًا. أعد تحميل الصفحة وحاول مرة أخرى.
error-unavailable = الخدمة غير متاحة مؤقتًا. يُرجى المحاولة مرة أخرى بعد قليل.
error-internal = حدث خطأ غير متوقع وتم تسجيله. يُرجى المحاولة مرة أخرى.
error-request = تعذّر إكمال الطلب. تحقّق من اتصالك وحاول مرة أخرى.
error-file-required = اختر ملفًا لرفعه.
error-file_name-required = أدخل اسم الملف.
error-file_name-too_long = استخدم 255 حرفًا على الأكثر.
error-file_name-malformed = لا يمكن أن يحتوي اسم الملف على شرطات مائلة أو محارف تحكّم، ولا أن ينتهي بنقطة.
error-file_name-reserved = هذا الاسم محجوز للنظام. اختر اسمًا آخر.
error-avatar-required = اختر صورة لرفعها.
error-expires_in-too_short = يجب أن يبقى الرابط صالحًا لمدة دقيقة واحدة على الأقل.
error-expires_in-too_long = لا يمكن أن يبقى الرابط صالحًا لأكثر من 30 يومًا.
error-expires_in-malformed = اختر مدة صلاحية الرابط.
error-notification_kind-unsupported = هذا النوع من الإشعارات غير موجود.
error-token-expired = انتهت صلاحية هذا الرابط أو سبق استخدامه. اطلب رابطًا جديدًا.
error-passkey-malformed = تعذّر التحقق من مفتاح المرور. حاول مرة أخرى.
error-passkey-expired = انتهت صلاحية طلب مفتاح المرور هذا. حاول مرة أخرى.
error-passkey-too_long = استخدم 80 حرفًا على الأكثر للاسم.
error-passkey-unsupported = مفاتيح المرور غير متاحة هنا: يجب الوصول إلى التطبيق عبر اسم نطاق.
error-token_name-required = أدخل اسمًا للرمز.
error-token_name-too_long = استخدم 80 حرفًا على الأكثر، ومن دون أحرف تحكم.
error-scopes-required = اختر صلاحية واحدة على الأقل.
error-scopes-unsupported = لا يمكن منح رمز هذه الصلاحية.
error-expires_in-unsupported = اختر مدة صلاحية الرمز: سنة واحدة على الأكثر.
error-upload-required = { $name }: الملف فارغ.
error-upload-too_large = { $name }: حجم الملف أكبر من المسموح به.
error-upload-over_quota = { $name }: لا تتوفر مساحة كافية متبقية في مساحة التخزين الخاصة بك.
error-upload-unsupported = { $name }: هذا النوع من الملفات غير مقبول. ارفع ملفات PDF أو صورًا (PNG أو JPEG أو GIF أو WebP) أو ملفات نصية.
error-upload-dimensions = { $name }: الصورة كبيرة جدًا. استخدم صورة لا تتجاوز أبعادها 8192 × 8192 بكسل.
error-upload-too_long = { $name }: اسم الملف طويل جدًا.
error-upload-malformed = { $name }: اسم الملف غير صالح.
error-upload-reserved = { $name }: اسم الملف محجوز للنظام.

## الأحجام
size-bytes = { $size } بايت
size-kb = { $size } كيلوبايت
size-mb = { $size } ميغابايت
size-gb = { $size } غيغابايت
size-tb = { $size } تيرابايت

## الملفات
files-title = الملفات
files-lead = مستنداتك وصورك، تبقى خاصة بك ما لم تشاركها.
files-upload-heading = رفع الملفات
files-upload-choose = اختر الملفات
files-upload-drop = أو أفلتها هنا
files-upload-submit = رفع
files-upload-progress = عمليات الرفع
files-upload-done = تم الرفع
files-upload-pause = إيقاف مؤقت
files-upload-resume = استئناف
files-upload-pause-label = إيقاف رفع { $name } مؤقتًا
files-upload-resume-label = استئناف رفع { $name }
files-upload-paused = متوقف مؤقتًا عند { $percent } ٪
files-upload-resumed = { $percent } ٪ (استؤنف من حيث توقف)
files-usage = تم استخدام { $used } من { $quota }. الحد الأقصى لكل ملف { $max }.
files-uploaded = { $count ->
    [one] تم رفع ملف واحد.
    [few] تم رفع { $count } ملفات.
    [many] تم رفع { $count } ملفًا.
   *[other] تم رفع { $count } ملف.
}
files-deleted = تم حذف الملف.
files-list-heading = ملفاتك
files-search-label = البحث بالاسم
files-search-submit = بحث
files-none = لا توجد ملفات بعد. ارفع ملفك الأول من الأعلى.
files-none-match = لا يوجد اسم ملف يطابق بحثك.
files-col-name = الاسم
files-col-type = النوع
files-col-size = الحجم
files-col-uploaded = تاريخ الرفع
files-col-actions = الإجراءات
file-type-text = نص
files-download = تنزيل
files-rename = إعادة التسمية
files-new-name = الاسم الجديد
files-rename-submit = حفظ الاسم
files-delete = حذف
files-delete-confirm = هل تريد حذف «{ $name }» نهائيًا؟ لا يمكن التراجع عن ذلك.
files-delete-submit = نعم، احذفه
files-pages = الصفحات
files-page-of = الصفحة { $page } من { $pages } (إجمالي الملفات: { $total })
files-previous = السابق
files-next = التالي
files-back = → كل الملفات
file-preview = معاينة
file-no-preview = لا تتوفر معاينة لهذا النوع من الملفات.
file-actions = الإجراءات
file-details = التفاصيل

## روابط المشاركة
share-heading = مشاركة
share-lead = يمكن لأي شخص لديه الرابط تنزيل هذا الملف دون حساب، إلى أن تنتهي صلاحية الرابط أو تُلغيه.
share-expires-in = مدة صلاحية الرابط
share-lifetime-1h = ساعة واحدة
share-lifetime-1d = يوم واحد
share-lifetime-7d = 7 أيام
share-lifetime-30d = 30 يومًا
share-create = إنشاء رابط
share-made = انسخ هذا الرابط الآن، فلن يُعرض إلا مرة واحدة:
share-copy = نسخ
share-active = الروابط النشطة
share-expires-at = تنتهي صلاحيته في { $at } UTC
share-revoke = إلغاء

## الصورة الرمزية
avatar-heading = الصورة الرمزية
avatar-saved = تم تحديث صورتك الرمزية.
avatar-alt = صورتك الرمزية
avatar-choose = الصورة
avatar-hint = PNG أو JPEG أو GIF أو WebP، بحجم لا يتجاوز 10 ميغابايت. تُقصّ الصورة على شكل مربع.
avatar-upload = رفع صورة رمزية
avatar-remove = إزالة الصورة الرمزية

## الإشعارات
nav-notifications = الإشعارات
notifications-title = الإشعارات
notifications-bell = { $count ->
    [0] الإشعارات، لا توجد إشعارات غير مقروءة
    [one] الإشعارات، إشعار واحد غير مقروء
    [few] الإشعارات، { $count } إشعارات غير مقروءة
    [many] الإشعارات، { $count } إشعارًا غير مقروء
   *[other] الإشعارات، { $count } إشعار غير مقروء
}
notifications-none = لا جديد. تظهر هنا الإشعارات المتعلقة بملفاتك.
notifications-mark-all = تحديد الكل كمقروء
notifications-mark-read = تحديد كمقروء
notifications-delete = حذف
notifications-new = جديد
notification-file_processed = الملف «{ $name }» جاهز.
notification-file_failed = تعذّرت معالجة الملف «{ $name }». افتحه للتحقق منه، أو ارفعه مرة أخرى.
notification-file_refused = رُفض الملف «{ $name }»: يصبح بعد فك ضغطه أكبر من أن يُقرأ. سيبقى محفوظًا، لكن لا يمكن البحث فيه.
notification-export_ready = تصدير بياناتك جاهز للتنزيل.
notification-settings-heading = الإشعارات
notification-settings-lead = اختر كيف تعلم بكل نوع من الأحداث.
notification-settings-kind = الحدث
notification-settings-in-app = في التطبيق
notification-settings-email = بالبريد الإلكتروني
notification-settings-save = حفظ إعدادات الإشعارات
notification-settings-saved = تم حفظ إعدادات الإشعارات.
notification-kind-file_processed = تمت معالجة ملف
notification-kind-file_failed = تعذّرت معالجة ملف
notification-kind-file_refused = رُفض ملف لأنه كبير جدًا بعد فك ضغطه
notification-kind-export_ready = تصدير بيانات جاهز

## المصادقة الثنائية
sign-in-code-title = أدخل الرمز
sign-in-code-lead = المصادقة الثنائية مفعّلة في حسابك. أدخل الرمز المكوّن من 6 أرقام الذي يعرضه تطبيق المصادقة، أو أحد رموز الاسترداد.
sign-in-code-hint = رمز من التطبيق، أو رمز استرداد مثل abcde-fghjk.
sign-in-code-submit = متابعة
sign-in-code-again = ابدأ تسجيل الدخول من جديد
field-code = الرمز
field-two-factor-proof = كلمة المرور أو الرمز
error-code-required = أدخل رمزًا.
error-code-incorrect = هذا الرمز غير صحيح أو سبق استخدامه.
error-confirmation-required = اكتب عنوان بريدك الإلكتروني للتأكيد.
error-confirmation-incorrect = هذا ليس عنوان البريد الإلكتروني لحسابك.
error-role-unsupported = لا يمكنك فعل هذا بحسابك نفسه.
error-role-last_admin = هذا هو المسؤول الوحيد: اجعل شخصًا آخر مسؤولًا أولًا.
error-challenge-expired = انتهت صلاحية عملية تسجيل الدخول هذه. أدخل بريدك الإلكتروني وكلمة المرور مرة أخرى.
error-two_factor-unsupported = المصادقة الثنائية في هذه الحالة بالفعل. أعد تحميل الصفحة.
two-factor-heading = المصادقة الثنائية
two-factor-lead = سجّل الدخول برمز من تطبيق مصادقة على هاتفك إضافةً إلى كلمة المرور.
two-factor-on = المصادقة الثنائية مفعّلة.
two-factor-off = المصادقة الثنائية معطّلة.
two-factor-codes-left = رموز الاسترداد المتبقية:
two-factor-start = إعداد المصادقة الثنائية
two-factor-step-scan = امسح رمز QR هذا بتطبيق المصادقة، أو اكتب المفتاح السري أدناه.
two-factor-step-code = أدخل الرمز المكوّن من 6 أرقام الذي يعرضه التطبيق لتفعيل المصادقة الثنائية.
two-factor-qr-alt = رمز QR لإضافة حسابك إلى تطبيق مصادقة
two-factor-secret = المفتاح السري:
two-factor-confirm = تفعيل
two-factor-codes-intro = احفظ رموز الاسترداد هذه في مكان آمن. كل رمز يتيح لك تسجيل الدخول مرة واحدة إن لم يكن هاتفك في متناولك. لن تُعرض إلا الآن.
two-factor-codes-label = رموز الاسترداد
two-factor-regenerate-heading = رموز استرداد جديدة
two-factor-regenerate = إنشاء رموز استرداد جديدة
two-factor-disable-heading = إيقاف
two-factor-disable = إيقاف المصادقة الثنائية
two-factor-disabled = المصادقة الثنائية معطّلة.
# تسجيل الدخول عبر مزوّدي OpenID Connect
sign-in-with = تسجيل الدخول باستخدام { $provider }
oidc-error-provider = مزوّد تسجيل الدخول هذا غير مُعدّ.
oidc-error-denied = أُلغي تسجيل الدخول لدى المزوّد. لم تسجّل الدخول.
oidc-error-state = انتهت صلاحية محاولة تسجيل الدخول هذه أو استُخدمت من قبل. يُرجى البدء من جديد.
oidc-error-failed = تعذّر التحقق من ردّ المزوّد. يُرجى المحاولة مرة أخرى.
oidc-error-unverified = يستخدم حسابٌ هذا البريد الإلكتروني بالفعل، ولم يؤكّد المزوّد أنه يخصّك. سجّل الدخول بكلمة المرور بدلًا من ذلك.
oidc-error-email = لم يقدّم المزوّد عنوان بريد إلكتروني، لذا لا يمكن إنشاء حساب.
oidc-error-two_factor = يستخدم حسابك تسجيل الدخول بخطوتين. سجّل الدخول بكلمة المرور والرمز، ثم اربط المزوّد من ملفك الشخصي.
oidc-error-linked_elsewhere = حساب المزوّد هذا مرتبط بالفعل بحساب آخر هنا. سجّل الدخول به لاستخدام ذلك الحساب، أو ألغِ ربطه هناك أولًا.
oidc-error-internal = حدث خطأ من جهتنا. يُرجى المحاولة مرة أخرى.
oidc-link-title = ربط حسابك
oidc-link-lead = يوجد حساب بهذا البريد الإلكتروني بالفعل. أدخل كلمة مروره مرة واحدة لربط المزوّد؛ وبعدها يمكنك تسجيل الدخول بأيٍّ من الطريقتين.
oidc-link-submit = اربط وسجّل الدخول
oidc-link-error-password = كلمة المرور غير صحيحة.
oidc-link-error-throttled = محاولات كثيرة جدًا. انتظر قليلًا ثم حاول مرة أخرى.
providers-heading = مزوّدو تسجيل الدخول المرتبطون
providers-lead = خدمات يمكنك تسجيل الدخول بها بدلًا من كلمة المرور.
providers-none = لا يوجد مزوّد مرتبط.
providers-link = ربط { $provider }
providers-linked-at = رُبط في
providers-unlink = إلغاء الربط
providers-linked = رُبط المزوّد بحسابك.
providers-unlinked = أُلغي ربط المزوّد.
error-provider-last_sign_in_method = هذه طريقتك الوحيدة لتسجيل الدخول. عيّن كلمة مرور أولًا (عبر «نسيت كلمة المرور؟») أو اربط مزوّدًا آخر.

## The assistant
assistant-open = افتح المساعد
assistant-title = المساعد
assistant-close = أغلق المساعد
assistant-usage = { $count } من { $limit } سؤالًا اليوم
assistant-conversations = المحادثات
assistant-new = محادثة جديدة
assistant-rename = إعادة التسمية
assistant-rename-named = أعد تسمية «{ $title }»
assistant-rename-label = عنوان المحادثة
assistant-rename-save = احفظ
assistant-rename-cancel = إلغاء
assistant-delete = احذف
assistant-delete-named = احذف «{ $title }»
assistant-delete-confirm = أتريد حذف «{ $title }» وكل رسائلها؟
assistant-delete-yes = نعم، احذفها
assistant-delete-no = أبقِها
assistant-empty = اسأل أي شيء عن مستنداتك. تذكر الإجابات الملفات التي جاءت منها.
assistant-question = سؤالك
assistant-question-placeholder = اسأل عن مستنداتك… (يرسل Enter، ويضيف Shift+Enter سطرًا)
assistant-send = أرسل
assistant-stop = أوقف
assistant-stopped = أُوقفت الإجابة.
assistant-answered = اكتملت الإجابة.
assistant-failed = لا يستطيع المساعد الإجابة الآن. حُفظ ما وصل حتى الآن؛ حاول مرة أخرى بعد قليل.
assistant-sources = المصادر
assistant-page-lead = محادثاتك مع المساعد. افتح المساعد من الترويسة لتطرح سؤالًا.
assistant-none = لا توجد محادثات بعد. افتح المساعد من الترويسة لتطرح سؤالك الأول.
assistant-pick = اختر محادثة لقراءتها.
error-question-required = اكتب سؤالًا.
error-question-too_long = هذا السؤال طويل جدًا. اختصره وحاول مرة أخرى.
error-question-daily_limit = بلغت حد المساعد لهذا اليوم. يُعاد ضبطه عند منتصف الليل بالتوقيت العالمي.
error-title-required = اكتب عنوانًا.
error-title-too_long = يجب ألا يتجاوز العنوان 200 حرف.

## Help
nav-help = المساعدة
help-title = المساعدة
help-lead = كيف يعمل SmartAIPlatForm. يستشهد المساعد بهذه الصفحات أيضًا.
help-none = لا توجد صفحات مساعدة بعد.
help-back = كل صفحات المساعدة

## Dates and times (the server sends them in the reader's time zone)
date-time = { $day } { $month } { $year }، { $time }
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
time-just-now = الآن
time-minutes-ago = { $count ->
    [one] منذ دقيقة
    [two] منذ دقيقتين
    [few] منذ { $count } دقائق
   *[other] منذ { $count } دقيقة
}
time-hours-ago = { $count ->
    [one] منذ ساعة
    [two] منذ ساعتين
    [few] منذ { $count } ساعات
   *[other] منذ { $count } ساعة
}

admin-title = الإدارة
admin-lead = الحسابات ومفاتيح الميزات. يُسجَّل كل تغيير في سجل التدقيق.
admin-users-heading = الحسابات
admin-users-search = ابحث بالبريد الإلكتروني أو الاسم
admin-users-role = الدور
admin-role-any = كل الأدوار
admin-role-user = مستخدم
admin-role-admin = مدير
admin-users-filter = بحث
admin-users-none = لا يطابق أي حساب.
admin-users-next = الصفحة التالية
admin-col-email = البريد الإلكتروني
admin-col-name = الاسم
admin-col-role = الدور
admin-col-since = عضو منذ
admin-you = هذا أنت
admin-col-actions = الإجراءات
admin-make-admin = اجعله مديرًا
admin-make-user = اجعله مستخدمًا
admin-delete = حذف
admin-delete-confirm = هل تحذف { $email } الآن؟ يتوقف الحساب عن العمل فورًا ويُمحى كل ما يملكه. لا يمكن التراجع عن ذلك.
admin-delete-submit = نعم، احذف الحساب
admin-flags-heading = مفاتيح الميزات
admin-flags-lead = شغّل ميزة أو أوقفها، أو أتحها لنسبة من المستخدمين (يبقى كل مستخدم في جانبه كلما زادت النسبة)، أو سمِّ مستخدمين وأدوارًا يحصلون عليها دائمًا أو لا يحصلون عليها أبدًا. تتبع كل النسخ التغيير فورًا.
admin-flags-saved = حُفظ المفتاح.
admin-flag-enabled = مفعّل
admin-flag-rollout = نسبة المستخدمين (%)
admin-flag-allow-users = دائمًا لهؤلاء المستخدمين
admin-flag-deny-users = أبدًا لهؤلاء المستخدمين
admin-flag-users-hint = عناوين البريد الإلكتروني، عنوان في كل سطر. «أبدًا» تغلب «دائمًا»، والمستخدمون يغلبون الأدوار.
admin-flag-allow-roles = دائمًا لهذه الأدوار
admin-flag-deny-roles = أبدًا لهذه الأدوار
admin-flag-updated = آخر تغيير
admin-flag-save = احفظ المفتاح
nav-admin = الإدارة
error-email-unsupported = أحد هذه العناوين لا يخص أي حساب.
error-rollout-malformed = أدخل عددًا صحيحًا من 0 إلى 100.
error-rollout-too_large = لا يمكن أن تزيد النسبة على 100%.
admin-suspended = موقوف
admin-suspend = إيقاف
admin-reactivate = إعادة التفعيل
admin-sign-out = تسجيل الخروج من كل مكان
admin-send-reset = إرسال إعادة تعيين كلمة المرور
admin-signed-out = سُجّل خروج الحساب من كل جلساته.
admin-reset-sent = رسالة إعادة تعيين كلمة المرور في طريقها.
error-email-suspended = هذا الحساب موقوف. اطلب من مدير إعادة تفعيله.
admin-nav = أقسام الإدارة
admin-nav-accounts = الحسابات
admin-nav-jobs = المهام
admin-nav-audit = سجل التدقيق
admin-account-title = الحساب
admin-account-heading = الحساب
admin-state = الحالة
admin-state-any = أي حالة
admin-active = نشط
admin-email-verified = البريد الإلكتروني مؤكَّد
admin-yes = نعم
admin-no = لا
admin-last-sign-in = آخر تسجيل دخول
admin-never = أبدًا
admin-two-factor = المصادقة الثنائية
admin-two-factor-on = مفعّلة (بقي { $count } من رموز الاسترداد)
admin-two-factor-off = معطّلة
admin-passkeys = مفاتيح المرور
admin-passkeys-count = { $count ->
    [one] مفتاح مرور واحد
   *[other] مفاتيح المرور: { $count }
}
admin-providers = مزوّدو تسجيل الدخول المرتبطون
admin-none = لا شيء
admin-storage = التخزين
admin-files-count = { $count ->
    [one] ملف واحد
   *[other] الملفات: { $count }
}
admin-storage-of = { $used } من { $quota }
admin-account-audit = أحداث التدقيق الخاصة بهذا الحساب
admin-sessions-heading = الجلسات
admin-sessions-none = لا توجد جلسة نشطة.
admin-tokens-none = لا يوجد رمز وصول.
admin-col-device = الجهاز
admin-col-ip = عنوان IP
admin-jobs-title = المهام
admin-jobs-lead = مهام الخلفية: ما ينتظر وما يعمل وما فشل نهائيًا. تتحدّث الأعداد كل بضع ثوانٍ.
admin-jobs-done = تمّ.
admin-queues-heading = الطوابير
admin-queues-backend = الطوابير في: { $backend }
admin-queues-dead = المهام الفاشلة: { $count }
admin-queues-empty = لا توجد مهمة تنتظر أو تعمل.
admin-col-queue = الطابور
admin-col-ready = جاهزة
admin-col-delayed = مؤجّلة
admin-col-running = قيد التشغيل
admin-pending-heading = قيد التشغيل والمنتظرة
admin-pending-none = لا توجد مهمة قيد التشغيل أو تنتظر موعدها.
admin-col-state = الحالة
admin-job-running = قيد التشغيل
admin-job-due = موعدها
admin-dead-heading = المهام الفاشلة ({ $count })
admin-dead-lead = مهام فشلت محاولتها الأخيرة. أعد تشغيل إحداها بعد إصلاح السبب، أو تخلّص منها.
admin-dead-more = تُعرض أحدث { $count }.
admin-dead-none = لا توجد مهمة فاشلة.
admin-col-kind = النوع
admin-col-attempts = المحاولات
admin-col-error = آخر خطأ
admin-col-enqueued = أُضيفت
admin-job-retry = إعادة التشغيل
admin-job-discard = تخلّص منها
admin-job-discard-confirm = التخلّص من هذه المهمة نهائيًا؟ لن يُنجز عملها.
admin-job-discard-submit = نعم، تخلّص منها
admin-audit-title = سجل التدقيق
admin-audit-lead = كل حدث أمني، مع من ومن أين ومتى. كل حدث مربوط بالذي قبله بتجزئة ذات مفتاح.
admin-audit-events = الأحداث
admin-audit-none = لا يوجد حدث مطابق.
admin-audit-older = أحداث أقدم
admin-audit-verification = السلامة
admin-audit-verifying = جارٍ التحقق من السلسلة…
admin-audit-intact = السلسلة سليمة: تم التحقق من { $count } حدثًا، وأحدثها رقم { $head }. أحداث مُحيت بياناتها الشخصية: { $erased }.
admin-audit-pruned = حُذفت الأحداث حتى الرقم { $through } بانتهاء مدة الاحتفاظ؛ تبدأ السلسلة بعدها.
admin-audit-breach-edited = السلسلة مكسورة: عُدّل الحدث رقم { $seq } بعد كتابته.
admin-audit-breach-missing = السلسلة مكسورة: حُذف الحدث رقم { $seq }.
admin-audit-breach-unlinked = السلسلة مكسورة: استُبدل حدث قبل الرقم { $seq }.
admin-audit-breach-not_in_head = السلسلة مكسورة: كُتب الحدث رقم { $seq } خارج سجل التدقيق.
admin-audit-breach-head_missing = السلسلة مكسورة: سجل رأسها مفقود.
admin-audit-breach-unkeyed = السلسلة مكسورة: أعيدت كتابة الحدث رقم { $seq } دون مفتاح التدقيق.
admin-audit-breach-falsely_erased = السلسلة مكسورة: الحدث رقم { $seq } موسوم بأنه ممحو، لكن لا يغطيه محو أي حساب.
admin-audit-account = الحساب (البريد الإلكتروني)
admin-audit-event = الحدث
admin-audit-any-event = أي حدث
admin-audit-from = من
admin-audit-to = إلى
admin-audit-seq = #
admin-audit-when = متى
admin-audit-by = بواسطة
admin-audit-details = التفاصيل
error-event-unsupported = لا يوجد حدث كهذا.
error-period-malformed = أدخل التواريخ بصيغة سنة-شهر-يوم، على ألا تسبق النهاية البداية.
