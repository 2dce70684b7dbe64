## إطار التطبيق
app-name = SmartAIPlatForm
lang-native = العربية
lang-switch = تغيير اللغة
nav-label = القائمة الرئيسية
nav-skip = الانتقال إلى المحتوى
nav-home = الرئيسية
nav-profile = الملف الشخصي
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
landing-lead = يُبنى SmartAIPlatForm بشكل مفتوح. تحصل اليوم على حساب آمن وملف شخصي بلغتك وواجهة برمجية مستقرة، وستتبعها الملفات والإشعارات والمساعد.
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
password-changed = تم تغيير كلمة المرور، وتم تسجيل الخروج من الجلسات الأخرى.

## صفحات الحالة
not-found-title = الصفحة غير موجودة
not-found-body = الصفحة التي تبحث عنها غير موجودة أو نُقلت إلى مكان آخر.
error-page-title = حدث خطأ ما

## الأخطاء
error-email-required = أدخل عنوان بريدك الإلكتروني.
error-email-malformed = لا يبدو هذا عنوان بريد إلكتروني صالحًا.
error-email-too_long = عنوان البريد الإلكتروني هذا طويل جدًا.
error-email-taken = عنوان البريد الإلكتروني هذا مسجّل بالفعل. هل تريد تسجيل الدخول بدلًا من ذلك؟
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
error-unauthenticated = يُرجى تسجيل الدخول للمتابعة.
error-forbidden = ليس لديك إذن للقيام بذلك.
error-not-found = تعذّر العثور على ما تبحث عنه.
error-unavailable = الخدمة غير متاحة مؤقتًا. يُرجى المحاولة مرة أخرى بعد قليل.
error-internal = حدث خطأ غير متوقع وتم تسجيله. يُرجى المحاولة مرة أخرى.
error-request = تعذّر إكمال الطلب. تحقّق من اتصالك وحاول مرة أخرى.
