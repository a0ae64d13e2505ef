//! The service's refusals in the console's words: what is wrong with a value (`Problem`), what
//! stands in the way (`Conflict`), which promised-payment rule said no (`PromiseRefusal`), and
//! the fields they name. The English console says them as the command line does (their
//! `Display`); the Russian one has its own sentence for each, so no English reaches it.

use crate::domain::dates::DateError;
use crate::domain::network::AddressError;
use crate::domain::phone::PhoneError;
use crate::domain::problem::{FileTrouble, Problem};
use crate::service::{CancelWhy, Conflict, PromiseRefusal};
use crate::store::{StoreError, UniqueKey};
use crate::tui::strings::state_name;
use crate::tui::strings::{Lang, Strings};

/// What is wrong with a value, without the field's name (said under the field).
pub fn problem(s: &Strings, p: &Problem) -> String {
    if s.lang == Lang::En {
        return p.to_string();
    }
    match p {
        Problem::Money(e) => super::screens::money_error_text(s, e),
        Problem::Address(e) => address(e),
        Problem::Phone(PhoneError::Bad(t)) => {
            format!("«{t}» — не телефон: от 5 до 15 цифр, можно +, пробелы, скобки и дефисы")
        }
        Problem::Date(DateError(t)) => {
            format!("«{t}» — не дата: ДД.ММ.ГГГГ, ДД.ММ (этот год) или ГГГГ-ММ-ДД")
        }
        Problem::Period(e) => {
            format!("начало {} позже конца {}", e.from.format("%d.%m.%Y"), e.to.format("%d.%m.%Y"))
        }
        Problem::Missing => "не заполнено".into(),
        Problem::TooLong(n) => format!("не больше {n} знаков"),
        Problem::TooShort(n) => format!("не меньше {n} знаков"),
        Problem::AtLeast(n) => format!("не меньше {n}"),
        Problem::Length(a, b) => format!("от {a} до {b} знаков"),
        Problem::Range(a, b) => format!("от {a} до {b}"),
        Problem::Negative => "не может быть меньше нуля".into(),
        Problem::NotPositive => "должно быть больше нуля".into(),
        Problem::ControlChars => "управляющие символы недопустимы".into(),
        Problem::NotYesNo(v) => format!("«{v}» — не «да» и не «нет» (1 или 0)"),
        Problem::NotANumber(v) => format!("«{v}» — не число"),
        Problem::NotOneOf { value, allowed } => format!("«{value}» — нужно одно из: {}", allowed.join(", ")),
        Problem::NoSuch { what, key } => {
            let name = s.entity_names.get(*what as usize).copied().unwrap_or_default();
            format!("{}: {name} {key}", s.not_found)
        }
        Problem::Withdrawn(t) => format!("тариф {t} больше не предлагается"),
        Problem::OperatorLogin(t) => format!("«{t}» — не логин: 1–64 буквы, цифры, «.», «-», «_»"),
        Problem::CustomerLogin(t) => format!("«{t}» — не логин: буквы, цифры, «.», «-», «_», «@»"),
        Problem::Email(t) => format!("«{t}» — не адрес электронной почты"),
        Problem::Key => "1–128 видимых латинских символов".into(),
        Problem::Receipt => "1–32 знака без пробелов".into(),
        Problem::LettersAndDigits => "только буквы и цифры".into(),
        Problem::HouseNumber(t) => format!("«{t}» — не номер дома: число от 1, буква — в своём поле"),
        Problem::StreetAndNumber => "введите улицу и номер дома".into(),
        Problem::NoPort { switch, ports, port } => {
            format!("у коммутатора «{switch}» порты 1–{ports}: порта {port} нет")
        }
        Problem::IpOrMac => "укажите IP, MAC или оба".into(),
        Problem::ServesWithoutHouse => "обслуживать дом может только коммутатор, стоящий в доме".into(),
        Problem::OwnAncestor => "абонент не может быть своим же родителем или предком".into(),
        Problem::ParentChain => "слишком длинная цепочка родительских абонентов".into(),
        Problem::SelfMerge => "абонента нельзя объединить с самим собой".into(),
        Problem::ListsItself => "тариф не может ссылаться на себя".into(),
        Problem::ReasonRequired => "укажите причину: без комментария эту операцию не провести".into(),
        Problem::ChargePositive => "списание вводится положительной суммой".into(),
        Problem::ZeroCorrection => "корректировка на ноль ничего не меняет".into(),
        Problem::BalanceRange => "баланс вышел бы за пределы, которые хранит kassa".into(),
        Problem::PasswordNeeded => "нужен текущий пароль (администратор может задать новый без него)".into(),
        Problem::PasswordMismatch => "текущий пароль не совпадает".into(),
        Problem::FileExists(f) => format!("{f} уже есть: укажите новый файл"),
        Problem::PgDump => "базу PostgreSQL копирует pg_dump".into(),
        Problem::NothingToLookUp => "нечего искать".into(),
        Problem::CustomerRef => "укажите абонента номером договора или #id".into(),
        Problem::Fields(_, fields) => format!("неизвестное поле; поля: {fields}"),
        Problem::Percent(t) => {
            format!("«{t}» — не процент: число от 0 до 100, не больше двух знаков после запятой")
        }
        Problem::DiscountWhom => "скидка даётся одному абоненту или одной группе: укажите что-то одно".into(),
        Problem::ReceivedShort => "получено меньше суммы платежа".into(),
        Problem::ReceivedNotCash => "«Получено» вводится только для оплаты наличными".into(),
        Problem::DrawerShort(held) => format!("в ящике только {held}"),
        Problem::DayOutOfRange(d) => format!("{d}: день от 01.01.2000 до сегодняшнего, не позже"),
        Problem::MethodCode(c) => {
            format!("«{c}» — не код способа оплаты: от 1 до 32 знаков a-z, 0-9, _ и -, первый — буква")
        }
        Problem::MethodUnknown(c) => format!("нет способа оплаты «{c}»"),
        Problem::MethodInactive(c) => format!("способ оплаты «{c}» отключён"),
        Problem::LastMethod => "хотя бы один способ оплаты должен остаться включённым".into(),
        Problem::RefundTooMuch(left) => format!("больше, чем осталось вернуть по этой оплате ({left})"),
        Problem::BankFile(why) => format!("файл не принят, ничего не загружено: {}", statement(why)),
        Problem::PublicKey(_) => "это не открытый ключ SSH: нужна строка из файла .pub".into(),
        Problem::NotInFuture => "дата должна быть позже сегодняшней".into(),
        Problem::LinePosted(id) => format!("строка {id} уже проведена"),
        Problem::FileUnreadable(t) => match t {
            FileTrouble::NotFound => "нет такого файла".into(),
            FileTrouble::Denied => "нет прав читать этот файл".into(),
            FileTrouble::Directory => "это каталог, а не файл".into(),
            FileTrouble::Other => "файл не читается".into(),
        },
        Problem::UnknownPreset(name) => format!("в настройках нет реестра агента «{name}»"),
        Problem::NoCustomer(id) => format!("у строки {id} нет абонента: выберите его поиском"),
    }
}

/// Why a bank statement or an agent's registry was refused, in the console's words.
fn statement(e: &crate::domain::bank::StatementError) -> String {
    use crate::domain::bank::{Cell, LineProblem, StatementError as E};
    match e {
        E::NotAStatement => {
            "это не выписка 1CClientBankExchange: первая строка должна быть 1CClientBankExchange".into()
        }
        E::Encoding => "кодировка не cp1251, не cp866 и не UTF-8".into(),
        E::Unclosed(end) => format!("файл кончается внутри раздела (нет {end})"),
        E::NoEnd => "в файле нет КонецФайла: он обрезан".into(),
        E::NoAccount => "нет РасчСчет: выписка не говорит, чей это счёт".into(),
        E::Balance { account, opening, incoming, outgoing, closing, computed, off } => format!(
            "счёт {account}: начальный остаток {} + поступления {} − списания {} = {}, а конечный остаток {} (расходится на {})",
            opening.format_ru(),
            incoming.format_ru(),
            outgoing.format_ru(),
            computed.format_ru(),
            closing.format_ru(),
            off.format_ru()
        ),
        E::IncomingTotal { account, documents, total, off } => format!(
            "счёт {account}: входящие документы дают {}, а итог поступлений в выписке {} (расходится на {})",
            documents.format_ru(),
            total.format_ru(),
            off.format_ru()
        ),
        E::OutgoingTotal { account, documents, total, off } => format!(
            "счёт {account}: исходящие документы дают {}, а итог списаний в выписке {} (расходится на {})",
            documents.format_ru(),
            total.format_ru(),
            off.format_ru()
        ),
        E::Line { line, what } => {
            let what = match what {
                LineProblem::NotADate { value, format } => {
                    let format = if format == "DD.MM.YYYY" { "ДД.ММ.ГГГГ" } else { format.as_str() };
                    format!("«{value}» — не дата ({format})")
                }
                LineProblem::NotAnAmount(v) => format!("«{v}» — не сумма"),
                LineProblem::TooManyDecimals(v) => format!("«{v}» — больше двух знаков после запятой"),
                LineProblem::TooLarge(v) => format!("«{v}» — слишком большая сумма"),
                LineProblem::AfterEnd => "текст после КонецФайла".into(),
                LineProblem::NoCell { what, column } => {
                    let what = match what {
                        Cell::Date => "даты",
                        Cell::Amount => "суммы",
                        Cell::Transaction => "номера операции агента",
                    };
                    format!("нет {what} в столбце {column}")
                }
                LineProblem::NotPositive(m) => format!("сумма {} не больше нуля", m.format_ru()),
            };
            format!("строка {line}: {what}")
        }
    }
}

fn address(e: &AddressError) -> String {
    match e {
        AddressError::BadIp(t) => format!("«{t}» — не IP-адрес"),
        AddressError::BadMac(t) => format!(
            "«{t}» — не MAC-адрес: 00:11:22:33:44:55, 00-11-22-33-44-55, 0011.2233.4455 или 001122334455"
        ),
        AddressError::NoPrefix(t) => format!("«{t}»: нет длины префикса (/29)"),
        AddressError::BadPrefix(t) => format!("«{t}» — не длина префикса"),
        AddressError::PrefixRange { prefix, first, lo, hi } => {
            format!("/{prefix} для {first}: допустимо от /{lo} до /{hi}")
        }
        AddressError::NotFirst { first, prefix, start } => {
            format!("{first} — не первый адрес блока /{prefix}: этот блок начинается с {start}")
        }
    }
}

/// What stands in the way of an operation.
pub fn conflict(s: &Strings, c: &Conflict) -> String {
    if s.lang == Lang::En {
        return c.to_string();
    }
    match c {
        Conflict::Taken(key) => taken(key),
        Conflict::NotEmpty => "в базе уже есть абоненты: демо-данные пишутся только в пустую базу".into(),
        Conflict::OperatorsExist => "в базе уже есть операторы: новых добавляет администратор".into(),
        Conflict::LastAdmin { lock } => format!(
            "это последний действующий администратор: {} нельзя, сначала назначьте администратором другого",
            if *lock {
                "заблокировать его"
            } else {
                "снять с него роль администратора"
            }
        ),
        Conflict::LockSelf => "себя заблокировать нельзя".into(),
        Conflict::ServiceWithdrawn(n) => format!("услуга «{n}» больше не предоставляется"),
        Conflict::AddressHeld(h) => {
            let what = if h.subnet { format!("подсеть {}", h.what) } else { h.what.clone() };
            let agreement = h.agreement.as_deref().map(|a| format!("договор {a}, ")).unwrap_or_default();
            let owner = format!("абонента #{} ({agreement}{})", h.customer_id, h.customer_name);
            if h.what == h.held {
                format!("{what} уже принадлежит {owner}")
            } else {
                format!("{what} пересекается с {} {owner}", h.held)
            }
        }
        Conflict::SwitchAddress { what, subnet, ip, switch } => {
            let what = if *subnet { format!("подсеть {what}") } else { what.clone() };
            format!("{what} включает адрес {ip} коммутатора «{switch}»")
        }
        Conflict::HouseServed(n) => {
            format!("дом уже обслуживает коммутатор «{n}»: весь дом обслуживает только один")
        }
        Conflict::PortInUse(p) => format!("порт {p} занят: портов не может быть меньше {p}"),
        Conflict::SwitchInUse { count, switch } => {
            format!(
                "на портах коммутатора «{switch}» абонентов: {count}; сначала переведите их на другие порты"
            )
        }
        Conflict::IsSubnet(a) => format!("{a} — подсеть: удаляйте её как подсеть"),
        Conflict::SameMac(ip) => format!("у {ip} уже этот MAC"),
        Conflict::OnPortAlready { customer, port, switch } => {
            format!("абонент #{customer} уже на порту {port} коммутатора «{switch}»")
        }
        Conflict::Archive { id, archived } => {
            format!("сообщение {id} {} в архиве", if *archived { "уже" } else { "не" })
        }
        Conflict::MarkInUse { count, name } => {
            format!("метка «{name}» стоит у абонентов: {count}; сначала снимите её")
        }
        Conflict::GroupInUse { count, name } => {
            format!("в группе «{name}» абонентов: {count}; сначала переведите их")
        }
        Conflict::GroupHasDiscounts(name) => {
            format!("у группы «{name}» есть скидки: такую группу не удалить")
        }
        Conflict::DiscountUsed(id) => {
            format!("скидка {id} уже есть в начислениях: завершите её днём после её начала")
        }
        Conflict::NoShift(desk) => {
            format!("на кассе «{desk}» смена не открыта: наличные принимаются в открытую смену (F6 — касса)")
        }
        Conflict::ShiftOpen { desk, by } => format!("на кассе «{desk}» смена уже открыта ({by})"),
        Conflict::NotAPayment(id) => format!("операция {id} — не оплата: квитанция есть только у оплаты"),
        Conflict::NoPrinter => "принтер чеков не настроен в файле настроек кассы".into(),
        Conflict::NoFiscal => "онлайн-касса не настроена в файле настроек кассы".into(),
        Conflict::PdfFont(why) => format!("для квитанции в PDF нужен шрифт с кириллицей: {why}"),
        Conflict::PrinterFailed(why) => format!("принтер чеков не напечатал: {why}"),
        Conflict::CancelRefused(why) => {
            format!("эту оплату отменяет только администратор: {}", cancel_why(*why))
        }
        Conflict::RefundRefused(why) => {
            format!("возврат по этой оплате делает только администратор: {}", cancel_why(*why))
        }
        Conflict::NotRefundable(id) => format!("операция {id} — не оплата: вернуть можно только оплату"),
        Conflict::PartlyRefunded(id) => {
            format!("по оплате {id} уже был возврат: верните остаток возвратом, а не отменой")
        }
        Conflict::MarkAlready { customer, on, name } => {
            format!("у абонента #{customer} {} метки «{name}»", if *on { "уже есть" } else { "нет" })
        }
        Conflict::MainIsFormer(id) => format!("основной абонент #{id} — бывший: сначала верните его"),
        Conflict::AlreadyFormer(id) => format!("абонент #{id} уже среди бывших"),
        Conflict::NotFormer(id) => format!("абонент #{id} не среди бывших"),
        Conflict::ChildOf { main, secondary } => format!(
            "абонент #{main} — дочерний у #{secondary}: объединяйте в другую сторону или смените родителя"
        ),
        Conflict::TwoPromises { amount, secondary } => format!(
            "у обоих абонентов действует обещанный платёж ({amount} у #{secondary}): дождитесь конца одного"
        ),
        Conflict::CorrectionRefused => "журнал не принял корректировку".into(),
        Conflict::SameTariff(n) => format!("у абонента уже тариф «{n}»"),
        Conflict::TariffNotAllowed(n) => format!("тариф «{n}» этому абоненту недоступен"),
        Conflict::SameCreditLimit { customer, limit } => {
            format!("кредитный лимит абонента #{customer} уже {limit}")
        }
        Conflict::KeyUsed { key, operation } => format!("ключ «{key}» уже использован операцией {operation}"),
        Conflict::ReversalOfReversal => "сторно нельзя сторнировать".into(),
        Conflict::HalfOfMerge { operation, partner } => format!(
            "операция {operation} — половина перевода при объединении (с операцией {partner}): \
             одну её не сторнировать, исправьте балансы корректировками"
        ),
        Conflict::Reversed { operation, by } => match by {
            Some(b) => format!("операция {operation} уже сторнирована операцией {b}"),
            None => format!("операция {operation} уже сторнирована"),
        },
        Conflict::SameState { customer, state } => {
            format!("абонент #{customer} уже в статусе «{}»", state_name(s, *state))
        }
        Conflict::HasOperations { customer, count } => format!(
            "у абонента #{customer} операций в журнале: {count}; удалить нельзя — переведите его в бывшие"
        ),
        Conflict::HasChildren { customer, count } => {
            format!("абонент #{customer} — родитель для абонентов: {count}; сначала смените им родителя")
        }
        Conflict::HouseLived { count, address } => {
            format!("по адресу {address} живут абоненты: {count}; сначала переселите их")
        }
        Conflict::HouseSwitches { count, address } => {
            format!("по адресу {address} стоят коммутаторы: {count}; перенесите или удалите их")
        }
    }
}

fn taken(key: &UniqueKey) -> String {
    match key {
        UniqueKey::OperatorLogin => "оператор с таким логином уже есть",
        UniqueKey::GroupName => "группа с таким названием уже есть",
        UniqueKey::MarkName => "метка с таким названием уже есть",
        UniqueKey::TariffName => "тариф с таким названием уже есть",
        UniqueKey::ServiceName => "услуга с таким названием уже есть",
        UniqueKey::HouseAddress => "такой дом (город, улица, номер, литера) уже есть",
        UniqueKey::AgreementNumber => "этот номер договора уже у другого абонента",
        UniqueKey::AccountNumber => "этот лицевой счёт уже у другого абонента",
        UniqueKey::CustomerLogin => "этот логин уже у другого абонента",
        UniqueKey::Address => "этот адрес уже занят",
        UniqueKey::SwitchName => "коммутатор с таким названием уже есть",
        UniqueKey::SwitchIp => "коммутатор с таким IP уже есть",
        UniqueKey::ServingSwitch => "дом уже обслуживает другой коммутатор",
        UniqueKey::PortTaken => "этот порт уже занят",
        UniqueKey::CustomerPort => "абонент уже подключён к порту",
        UniqueKey::PendingTariffChange => "смена тарифа уже запланирована",
        UniqueKey::ActivePromise => "обещанный платёж уже действует",
        UniqueKey::ReceiptNumber => "этот номер ПКО уже использован",
        UniqueKey::Reversal => "операция уже сторнирована",
        UniqueKey::IdempotencyKey => "этот ключ уже использован",
        UniqueKey::MergeLink => "абоненты уже объединены",
        UniqueKey::MethodCode => "способ оплаты с таким кодом уже есть",
        UniqueKey::MethodName => "способ оплаты с таким названием уже есть",
        UniqueKey::PublicKey => "этот ключ уже зарегистрирован",
        UniqueKey::Other(_) => "такая запись уже есть",
    }
    .to_string()
}

/// Why a promised payment was refused, with the figures.
pub fn promise(s: &Strings, r: &PromiseRefusal) -> String {
    if s.lang == Lang::En {
        return r.to_string();
    }
    match r {
        PromiseRefusal::MaxAmount { max, asked } => format!("не больше {max} (запрошено {asked})"),
        PromiseRefusal::MaxDays { max, asked } => format!("не дольше {max} дн. (запрошено {asked})"),
        PromiseRefusal::OneAtATime { amount, until } => format!(
            "уже действует обещанный платёж {amount} до {}",
            crate::domain::dates::local(*until).format("%d.%m.%Y %H:%M")
        ),
        PromiseRefusal::PerMonth { count, max } => format!("в этом месяце уже {count}, а можно {max}"),
        PromiseRefusal::BalanceFloor { balance, floor } => {
            format!("баланс {balance} не выше {floor}: обещанный платёж даётся только выше")
        }
    }
}

/// What the database said, in the console's words (the backend's own detail, which has no
/// translation, after them).
pub fn store(s: &Strings, e: &StoreError) -> String {
    if s.lang == Lang::En {
        return e.to_string();
    }
    match e {
        StoreError::NotFound => "запись не найдена".into(),
        StoreError::Unique { key } => taken(key),
        StoreError::ForeignKey => "запись ссылается на несуществующую, или на неё ссылаются другие".into(),
        StoreError::Busy => s.busy.into(),
        StoreError::Corrupt { column, value } => format!("неожиданное значение в базе ({column}): {value}"),
        StoreError::Open { path, reason } => format!("не удалось открыть базу {path}: {reason}"),
        StoreError::Missing { path } => format!("нет базы {path}"),
        StoreError::Migrate(e) => format!("не удалось обновить схему базы: {e}"),
        StoreError::Backend(m) => format!("сбой базы данных: {m}"),
    }
}

/// A field a refusal names, in the console's words (the name itself when it has none).
pub fn field(s: &Strings, name: &'static str) -> &'static str {
    if s.lang == Lang::En {
        return name;
    }
    match name {
        "amount" => "сумма",
        "comment" => "комментарий",
        "received" => "получено",
        "position" => "место в списке",
        "find" => "что искать",
        "line" => "строка выписки",
        "active" => "включён",
        "paid_on" => "дата оплаты",
        "document_number" => "номер документа",
        "document_date" => "дата документа",
        "payer" => "плательщик",
        "reason" => "причина",
        "cash" => "наличные в кассе",
        "pause_price" => "плата за паузу",
        "percent" => "процент",
        "applies" => "на что",
        "whom" => "кому",
        "to" => "по",
        "priority" => "приоритет",
        "rate" => "ставка",
        "item" => "вид начислений",
        "last_day" => "последний день",
        "billing_day" => "расчётный день",
        "receipt" => "номер ПКО",
        "method" => "способ оплаты",
        "key" => "ключ",
        "kind" => "вид операции",
        "days" => "дней",
        "credit_limit" => "кредитный лимит",
        "name" => "имя",
        "login" => "логин",
        "password" | "new_password" => "пароль",
        "old_password" => "текущий пароль",
        "role" => "роль",
        "ip" => "IP",
        "mac" => "MAC",
        "prefix" => "префикс",
        "port" => "порт",
        "ports" => "портов",
        "switch" => "коммутатор",
        "model" => "модель",
        "house" | "house_id" => "дом",
        "serves_house" => "обслуживает дом",
        "city" => "город",
        "street" => "улица",
        "number" => "номер дома",
        "letter" => "литера",
        "postcode" => "индекс",
        "connect_date" => "дата подключения",
        "tariff_id" | "transitions" => "тариф",
        "price" => "цена",
        "period" => "период",
        "service" => "услуга",
        "quantity" => "количество",
        "next_charge_on" => "следующее списание",
        "text" => "текст",
        "color" => "цвет",
        "state" => "статус",
        "email" => "эл. почта",
        "group_id" => "группа",
        "manager_id" => "менеджер",
        "parent_id" => "родитель",
        "customer" | "secondary" => "абонент",
        "from" => "с",
        "limit" => "строк",
        "offset" => "сдвиг",
        "customers" => "абонентов",
        "months" => "месяцев",
        "file" => "файл",
        "preset" => "реестр агента",
        "expires" => "действует до",
        "database" => "база",
        "value" => "значение",
        "ip_pool_id" => "пул адресов",
        "field" => "поле",
        "phone0" | "phone1" | "phone2" | "phone3" | "phone4" | "phone" => "телефон",
        _ => name,
    }
}

fn cancel_why(why: CancelWhy) -> &'static str {
    match why {
        CancelWhy::NotPayment => "отменить сам можно только оплату",
        CancelWhy::NotOwn => "её принимал другой кассир",
        CancelWhy::ShiftClosed => "её смена закрыта",
        CancelWhy::OtherDesk => "её смена открыта на другой кассе",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bank::{Cell, LineProblem, StatementError};
    use crate::domain::customer::CustomerState;
    use crate::domain::dates::PeriodError;
    use crate::domain::money::{Money, MoneyError};
    use crate::domain::problem::Entity;
    use crate::service::Holding;

    /// Words of four or more Latin letters that a Russian sentence may hold: names of things
    /// that have no Russian word.
    const ALLOWED: &[&str] = &["PostgreSQL", "pg_dump", "kassa", "CClientBankExchange"];

    fn english_words(t: &str) -> Vec<String> {
        t.split(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
            .filter(|w| w.len() >= 4 && !ALLOWED.contains(w))
            .map(str::to_string)
            .collect()
    }

    fn date(d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    #[test]
    fn the_russian_console_says_every_refusal_in_russian() {
        let ru = Strings::get(Lang::Ru);
        let v = || "абв".to_string();
        let mm = Money::from_minor;
        let line = |what| StatementError::Line { line: 3, what };
        let problems = vec![
            Problem::Money(MoneyError::NotANumber(v())),
            Problem::Address(AddressError::BadIp(v())),
            Problem::Address(AddressError::BadMac(v())),
            Problem::Address(AddressError::NoPrefix(v())),
            Problem::Address(AddressError::BadPrefix(v())),
            Problem::Address(AddressError::PrefixRange {
                prefix: 8,
                first: "10.0.0.0".into(),
                lo: 16,
                hi: 32,
            }),
            Problem::Address(AddressError::NotFirst {
                first: "10.0.0.1".into(),
                prefix: 29,
                start: "10.0.0.0".into(),
            }),
            Problem::Phone(PhoneError::Bad(v())),
            Problem::Date(DateError(v())),
            Problem::Period(PeriodError { from: date(2), to: date(1) }),
            Problem::Missing,
            Problem::TooLong(5),
            Problem::TooShort(5),
            Problem::AtLeast(1),
            Problem::Length(1, 5),
            Problem::Range(1, 5),
            Problem::Negative,
            Problem::NotPositive,
            Problem::ControlChars,
            Problem::NotYesNo(v()),
            Problem::NotANumber(v()),
            Problem::NotOneOf { value: v(), allowed: &["да", "нет"] },
            Problem::NoSuch { what: Entity::House, key: "5".into() },
            Problem::Withdrawn("7".into()),
            Problem::OperatorLogin(v()),
            Problem::CustomerLogin(v()),
            Problem::Email(v()),
            Problem::Key,
            Problem::Receipt,
            Problem::LettersAndDigits,
            Problem::HouseNumber(v()),
            Problem::StreetAndNumber,
            Problem::NoPort { switch: v(), ports: 24, port: 25 },
            Problem::IpOrMac,
            Problem::ServesWithoutHouse,
            Problem::OwnAncestor,
            Problem::ParentChain,
            Problem::SelfMerge,
            Problem::ListsItself,
            Problem::ReasonRequired,
            Problem::ChargePositive,
            Problem::ZeroCorrection,
            Problem::BalanceRange,
            Problem::PasswordNeeded,
            Problem::PasswordMismatch,
            Problem::FileExists("/tmp/копия".into()),
            Problem::PgDump,
            Problem::NothingToLookUp,
            Problem::CustomerRef,
            Problem::Fields(v(), v()),
            Problem::Percent(v()),
            Problem::DiscountWhom,
            Problem::ReceivedShort,
            Problem::ReceivedNotCash,
            Problem::DrawerShort("1 000,00".into()),
            Problem::DayOutOfRange("01.01.2099".into()),
            Problem::MethodCode(v()),
            Problem::MethodUnknown(v()),
            Problem::MethodInactive(v()),
            Problem::LastMethod,
            Problem::RefundTooMuch("100,00".into()),
            Problem::BankFile(StatementError::NotAStatement),
            Problem::BankFile(StatementError::Encoding),
            Problem::BankFile(StatementError::Unclosed("КонецДокумента")),
            Problem::BankFile(StatementError::NoEnd),
            Problem::BankFile(StatementError::NoAccount),
            Problem::BankFile(StatementError::Balance {
                account: v(),
                opening: mm(1),
                incoming: mm(2),
                outgoing: mm(3),
                closing: mm(4),
                computed: mm(5),
                off: mm(6),
            }),
            Problem::BankFile(StatementError::IncomingTotal {
                account: v(),
                documents: mm(1),
                total: mm(2),
                off: mm(1),
            }),
            Problem::BankFile(StatementError::OutgoingTotal {
                account: v(),
                documents: mm(1),
                total: mm(2),
                off: mm(1),
            }),
            Problem::BankFile(line(LineProblem::NotADate { value: v(), format: "DD.MM.YYYY".into() })),
            Problem::BankFile(line(LineProblem::NotADate { value: v(), format: "%d.%m.%Y".into() })),
            Problem::BankFile(line(LineProblem::NotAnAmount(v()))),
            Problem::BankFile(line(LineProblem::TooManyDecimals(v()))),
            Problem::BankFile(line(LineProblem::TooLarge(v()))),
            Problem::BankFile(line(LineProblem::AfterEnd)),
            Problem::BankFile(line(LineProblem::NoCell { what: Cell::Date, column: 1 })),
            Problem::BankFile(line(LineProblem::NoCell { what: Cell::Amount, column: 2 })),
            Problem::BankFile(line(LineProblem::NoCell { what: Cell::Transaction, column: 3 })),
            Problem::BankFile(line(LineProblem::NotPositive(mm(0)))),
            Problem::LinePosted(1),
            Problem::FileUnreadable(FileTrouble::NotFound),
            Problem::FileUnreadable(FileTrouble::Denied),
            Problem::FileUnreadable(FileTrouble::Directory),
            Problem::FileUnreadable(FileTrouble::Other),
            Problem::UnknownPreset(v()),
            Problem::NoCustomer(1),
            Problem::PublicKey(v()),
            Problem::NotInFuture,
        ];
        let m = Money::from_minor(50_000);
        let conflicts = vec![
            Conflict::Taken(UniqueKey::AgreementNumber),
            Conflict::Taken(UniqueKey::Other(v())),
            Conflict::NotEmpty,
            Conflict::OperatorsExist,
            Conflict::LastAdmin { lock: true },
            Conflict::LastAdmin { lock: false },
            Conflict::LockSelf,
            Conflict::ServiceWithdrawn(v()),
            Conflict::AddressHeld(Box::new(Holding {
                what: "10.0.0.0/29".into(),
                subnet: true,
                held: "10.0.0.3".into(),
                customer_id: 6,
                agreement: Some("10234".into()),
                customer_name: "Иванов".into(),
            })),
            Conflict::SwitchAddress {
                what: "10.0.0.0/29".into(),
                subnet: true,
                ip: "10.0.0.1".into(),
                switch: v(),
            },
            Conflict::HouseServed(v()),
            Conflict::PortInUse(5),
            Conflict::SwitchInUse { count: 2, switch: v() },
            Conflict::IsSubnet("10.0.0.0/29".into()),
            Conflict::SameMac("10.0.0.1".into()),
            Conflict::OnPortAlready { customer: 1, port: 2, switch: v() },
            Conflict::Archive { id: 1, archived: true },
            Conflict::MarkInUse { count: 1, name: v() },
            Conflict::GroupInUse { count: 1, name: v() },
            Conflict::GroupHasDiscounts(v()),
            Conflict::DiscountUsed(3),
            Conflict::NoShift(v()),
            Conflict::ShiftOpen { desk: v(), by: v() },
            Conflict::NotAPayment(1),
            Conflict::NoPrinter,
            Conflict::NoFiscal,
            Conflict::PdfFont(v()),
            Conflict::PrinterFailed(v()),
            Conflict::CancelRefused(CancelWhy::NotPayment),
            Conflict::CancelRefused(CancelWhy::NotOwn),
            Conflict::CancelRefused(CancelWhy::ShiftClosed),
            Conflict::CancelRefused(CancelWhy::OtherDesk),
            Conflict::RefundRefused(CancelWhy::NotOwn),
            Conflict::NotRefundable(1),
            Conflict::PartlyRefunded(1),
            Conflict::MarkAlready { customer: 1, on: false, name: v() },
            Conflict::MainIsFormer(1),
            Conflict::AlreadyFormer(1),
            Conflict::NotFormer(1),
            Conflict::ChildOf { main: 1, secondary: 2 },
            Conflict::TwoPromises { amount: m, secondary: 2 },
            Conflict::CorrectionRefused,
            Conflict::SameTariff(v()),
            Conflict::TariffNotAllowed(v()),
            Conflict::SameCreditLimit { customer: 1, limit: m },
            Conflict::KeyUsed { key: "к1".into(), operation: 3 },
            Conflict::ReversalOfReversal,
            Conflict::HalfOfMerge { operation: 1, partner: 2 },
            Conflict::Reversed { operation: 1, by: Some(2) },
            Conflict::SameState { customer: 1, state: CustomerState::Pause },
            Conflict::HasOperations { customer: 1, count: 3 },
            Conflict::HasChildren { customer: 1, count: 3 },
            Conflict::HouseLived { count: 1, address: v() },
            Conflict::HouseSwitches { count: 1, address: v() },
        ];
        let promises = [
            PromiseRefusal::MaxAmount { max: m, asked: m },
            PromiseRefusal::MaxDays { max: 5, asked: 6 },
            PromiseRefusal::OneAtATime { amount: m, until: chrono::Utc::now() },
            PromiseRefusal::PerMonth { count: 1, max: 1 },
            PromiseRefusal::BalanceFloor { balance: m, floor: m },
        ];
        let texts = problems
            .iter()
            .map(|p| problem(ru, p))
            .chain(conflicts.iter().map(|c| conflict(ru, c)))
            .chain(promises.iter().map(|r| promise(ru, r)));
        for t in texts {
            assert!(!t.is_empty());
            assert!(english_words(&t).is_empty(), "English in the Russian console: {t}");
        }
        // and the English console says them as the command line does
        let en = Strings::get(Lang::En);
        assert_eq!(problem(en, &Problem::Missing), "nothing given");
        assert_eq!(conflict(en, &Conflict::LockSelf), Conflict::LockSelf.to_string());
    }

    #[test]
    fn every_field_a_refusal_names_has_a_russian_name() {
        let ru = Strings::get(Lang::Ru);
        // every field name the service and the console's forms refuse by, read from the source
        let mut names = vec!["phone3"];
        for dir in ["src/service", "src/tui"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                for part in text.split("invalid(\"").skip(1) {
                    if let Some(name) = part.split('"').next() {
                        names.push(Box::leak(name.to_string().into_boxed_str()));
                    }
                }
            }
        }
        assert!(names.len() > 50, "the source was read: {names:?}");
        let unnamed: Vec<&str> = names
            .into_iter()
            .filter(|n| field(ru, n) == *n || !english_words(field(ru, n)).is_empty())
            .collect();
        assert!(unnamed.is_empty(), "no Russian name for the fields {unnamed:?}");
    }
}
