//! Payments from banks: statements in both encodings and both versions written here, checked
//! (one that does not add up is refused whole), imported twice and overlapping (nothing new),
//! matched by the purpose's numbers, a remembered payer and the exact name, ambiguous lines
//! left waiting; accepted, skipped, matched by hand; posted exactly once, also when a post was
//! killed half-way; a registry by its preset.

use chrono::NaiveDate;
use kassa::domain::bank::{self, AccountSection, BankDocument, RegistryPreset, Statement};
use kassa::domain::import::LineState;
use kassa::domain::money::Money;
use kassa::service::{Problem, ServiceError};

use super::helpers::{audit_count, customer, money};
use crate::both_backends;
use crate::common::Env;

const OURS: &str = "40702810900000012345";

fn doc(number: &str, day: u32, rub: i64, payer: &str, payer_account: &str, purpose: &str) -> BankDocument {
    let d = NaiveDate::from_ymd_opt(2026, 11, day);
    BankDocument {
        kind: "Платежное поручение".into(),
        number: number.into(),
        date: d,
        amount: Money::from_minor(rub * 100),
        payer_account: payer_account.into(),
        payer_inn: String::new(),
        payer: payer.into(),
        payee_account: OURS.into(),
        payee_inn: "1655000000".into(),
        payee: "ООО «Сеть»".into(),
        received_on: d,
        written_off_on: d,
        purpose: purpose.into(),
    }
}

/// A statement of `docs` that adds up (opening 1 000,00).
fn statement(version: &str, docs: Vec<BankDocument>) -> Statement {
    let incoming: i64 = docs.iter().map(|d| d.amount.minor()).sum();
    Statement {
        version: version.into(),
        encoding: String::new(),
        account: OURS.into(),
        from: NaiveDate::from_ymd_opt(2026, 11, 1),
        to: NaiveDate::from_ymd_opt(2026, 11, 30),
        sections: vec![AccountSection {
            account: OURS.into(),
            from: NaiveDate::from_ymd_opt(2026, 11, 1),
            to: NaiveDate::from_ymd_opt(2026, 11, 30),
            opening: Money::from_minor(100_000),
            incoming: Money::from_minor(incoming),
            outgoing: Money::ZERO,
            closing: Money::from_minor(100_000 + incoming),
        }],
        documents: docs,
    }
}

fn problem<T: std::fmt::Debug>(r: &Result<T, ServiceError>) -> Option<&Problem> {
    match r {
        Err(ServiceError::Invalid { problem, .. }) => Some(problem),
        _ => None,
    }
}

async fn statements_matched_queued_and_posted_once(env: &Env) {
    let svc = &env.svc;
    let ivanov = customer(env, "Иванов Иван Иванович", &[("agreement_number", "10234")]).await;
    let romashka =
        customer(env, "ООО «Ромашка»", &[("agreement_number", "20001"), ("account_number", "100020001")])
            .await;
    let petrov = customer(env, "Петров Пётр", &[("agreement_number", "10235")]).await;
    let docs = vec![
        doc(
            "101",
            20,
            500,
            "Иванов Иван Иванович",
            "40817810000000000001",
            "Оплата по договору 10234 за интернет",
        ),
        doc("102", 21, 12_000, "ООО «Ромашка»", "40702810000000000777", "л/с 100020001, НДС не облагается"),
        doc("103", 22, 700, "Сидоров С.С.", "40817810000000000003", "Оплата услуг связи"),
        doc("104", 23, 900, "Петрова Анна", "40817810000000000004", "Абонент 10234 и 10235"),
        doc("105", 24, 300, "ООО «Ромашка»", "40702810000000000777", "Оплата за декабрь"),
    ];
    // a cashier may not; a file that does not add up is refused whole, nothing written
    let file = bank::write(&statement("1.03", docs.clone()), "Windows");
    assert!(matches!(
        svc.import_statement(&env.cashier, "n.txt", &file, false).await,
        Err(ServiceError::Denied { .. })
    ));
    let mut broken = statement("1.03", docs.clone());
    broken.sections[0].closing = Money::from_minor(broken.sections[0].closing.minor() + 1);
    let before = audit_count(env).await;
    let r = svc.import_statement(&env.admin, "bad.txt", &bank::write(&broken, "Windows"), false).await;
    assert!(matches!(problem(&r), Some(Problem::BankFile(why)) if why.to_string().contains("0.01")), "{r:?}");
    assert_eq!(audit_count(env).await, before);
    assert!(svc.import_queue(&env.admin, &[], 100).await.unwrap().is_empty());
    // a file on this machine: a path with nothing there, a preset the config does not have
    use kassa::domain::problem::FileTrouble;
    let r = svc.import_file(&env.admin, "/nonexistent/kl_to_1c.txt", None).await;
    assert!(matches!(problem(&r), Some(Problem::FileUnreadable(FileTrouble::NotFound))), "{r:?}");
    let r = svc.import_file(&env.admin, "/nonexistent/r.csv", Some("Элекснет")).await;
    assert!(matches!(problem(&r), Some(Problem::UnknownPreset(p)) if p == "Элекснет"), "{r:?}");
    assert!(matches!(svc.import_file(&env.cashier, "/tmp", None).await, Err(ServiceError::Denied { .. })));
    let dir = tempfile::tempdir().unwrap();
    let r = svc.import_file(&env.admin, &dir.path().display().to_string(), None).await;
    assert!(matches!(problem(&r), Some(Problem::FileUnreadable(FileTrouble::Directory))), "{r:?}");
    assert_eq!(audit_count(env).await, before);

    // a dry run writes nothing but says what would be matched
    let dry = svc.import_statement(&env.admin, "n.txt", &file, true).await.unwrap();
    assert_eq!((dry.new_lines, dry.proposed, dry.waiting), (5, 3, 2), "{dry:#?}");
    assert!(svc.import_queue(&env.admin, &[], 100).await.unwrap().is_empty());

    let r = svc.import_statement(&env.admin, "n.txt", &file, false).await.unwrap();
    assert_eq!((r.documents, r.new_lines, r.already_known), (5, 5, 0));
    let q = svc.import_queue(&env.admin, &[], 100).await.unwrap();
    let by_number = |n: &str| q.iter().find(|l| l.doc_number == n).unwrap().clone();
    let l101 = by_number("101");
    assert_eq!(
        (l101.state, l101.customer_id, l101.rule.as_deref(), l101.certainty.as_deref()),
        (LineState::Proposed, Some(ivanov.id), Some("agreement"), Some("sure"))
    );
    assert_eq!(
        (by_number("102").customer_id, by_number("102").rule.as_deref()),
        (Some(romashka.id), Some("account"))
    );
    assert_eq!((by_number("103").state, by_number("103").customer_id), (LineState::Waiting, None));
    let l104 = by_number("104");
    assert_eq!(l104.state, LineState::Waiting, "two agreements named: never guessed");
    assert!(
        l104.note.as_deref().unwrap().contains("10234") && l104.note.as_deref().unwrap().contains("10235")
    );
    assert_eq!(
        (by_number("105").customer_id, by_number("105").rule.as_deref()),
        (Some(romashka.id), Some("name"))
    );
    assert_eq!(by_number("105").certainty.as_deref(), Some("likely"));

    // the same file again, in the other encoding and version: nothing new
    let again = svc
        .import_statement(&env.admin, "n2.txt", &bank::write(&statement("1.02", docs.clone()), "DOS"), false)
        .await
        .unwrap();
    assert_eq!((again.new_lines, again.already_known), (0, 5));

    // triage: the sure ones accepted, one matched by hand, one skipped, a payer remembered
    assert_eq!(svc.import_accept_sure(&env.admin).await.unwrap(), 2);
    svc.import_accept(&env.admin, l104.id, Some(petrov.id)).await.unwrap();
    let r = svc.import_skip(&env.admin, by_number("103").id, " ").await;
    assert!(problem(&r).is_some());
    svc.import_skip(&env.admin, by_number("103").id, "вернули плательщику").await.unwrap();
    svc.import_remember(&env.admin, by_number("102").id).await.unwrap();

    // killed half-way: line 101's payment went in, its line was not yet marked
    let accepted = svc.import_queue(&env.admin, &[LineState::Accepted], 100).await.unwrap();
    assert_eq!(accepted.len(), 3);
    let l101 = accepted.iter().find(|l| l.doc_number == "101").unwrap();
    let mut first = kassa::service::PaymentRequest {
        customer_id: ivanov.id,
        amount: l101.amount,
        method: kassa::domain::ledger::PaymentMethod::Bank,
        method_code: None,
        receipt_number: None,
        comment: None,
        idempotency_key: Some(format!("bank-line-{}", l101.id)),
        received: None,
        bank: None,
    };
    first.comment = Some("first attempt".into());
    svc.post_payment(&env.admin, &first).await.unwrap();
    let posted = svc.import_post(&env.admin).await.unwrap();
    assert_eq!((posted.posted, posted.already, posted.failed.len()), (2, 1, 0), "{posted:?}");
    assert_eq!(posted.total, money("12 900"));
    let card = |id| async move { svc.customer_card(&env.admin, id).await.unwrap().customer.balance };
    assert_eq!(card(ivanov.id).await, money("500"), "once");
    assert_eq!(card(petrov.id).await, money("900"));
    assert_eq!(card(romashka.id).await, money("12 000"));
    let again = svc.import_post(&env.admin).await.unwrap();
    assert_eq!((again.posted, again.already), (0, 0), "nothing left accepted");
    // the payment carries the bank's document
    let q = kassa::service::HistoryQuery { customer_id: romashka.id, limit: 5, ..Default::default() };
    let op = &svc.history(&env.admin, &q).await.unwrap().operations[0];
    let b = op.bank.as_ref().unwrap();
    assert_eq!(
        (op.method, b.document_number.as_deref(), b.paid_on, b.payer.as_deref()),
        (
            Some(kassa::domain::ledger::PaymentMethod::Bank),
            Some("102"),
            NaiveDate::from_ymd_opt(2026, 11, 21),
            Some("ООО «Ромашка»")
        )
    );
    let line = svc.import_queue(&env.admin, &[LineState::Posted], 100).await.unwrap();
    assert_eq!(line.len(), 3);
    assert!(matches!(
        problem(&svc.import_skip(&env.admin, line[0].id, "поздно").await),
        Some(Problem::LinePosted(_))
    ));

    // an overlapping statement: the old documents known, the new one matched by the payer
    let mut overlap = docs[3..].to_vec();
    overlap.push(doc("106", 28, 1_000, "Ромашка", "40702810000000000777", "Оплата"));
    let r = svc
        .import_statement(&env.admin, "n3.txt", &bank::write(&statement("1.03", overlap), "UTF-8"), false)
        .await
        .unwrap();
    assert_eq!((r.new_lines, r.already_known), (1, 2));
    assert_eq!((r.lines[0].customer_id, r.lines[0].rule.as_deref()), (Some(romashka.id), Some("payer")));
}
both_backends!(statements, statements_matched_queued_and_posted_once);

async fn a_registry_by_its_preset(env: &Env) {
    let svc = &env.svc;
    let c = customer(env, "Агентов Олег", &[("agreement_number", "30001")]).await;
    let preset = RegistryPreset {
        agent: "Элекснет".into(),
        delimiter: ";".into(),
        encoding: Some("cp866".into()),
        header_lines: 1,
        date: 1,
        date_format: Some("%d.%m.%Y %H:%M".into()),
        agreement: Some(2),
        account: None,
        amount: 3,
        transaction: 4,
        payer: None,
    };
    let text = "Дата;Договор;Сумма;Номер\r\n30.11.2026 10:15;30001;250.00;E-1\r\n30.11.2026 11:00;99999;100.00;E-2\r\n";
    let bytes = encoding_rs::IBM866.encode(text).0.into_owned();
    let r = svc.import_registry(&env.admin, "reestr.csv", &bytes, &preset, false).await.unwrap();
    assert_eq!((r.new_lines, r.proposed, r.waiting), (2, 1, 1));
    assert_eq!(r.lines[0].customer_id, Some(c.id));
    let r = svc.import_registry(&env.admin, "reestr.csv", &bytes, &preset, false).await.unwrap();
    assert_eq!((r.new_lines, r.already_known), (0, 2), "the same registry twice");
    svc.import_accept_sure(&env.admin).await.unwrap();
    // the other line: accepted for a customer merged away before the post — refused alone,
    // said, left accepted; the batch's other line is posted
    let gone = customer(env, "Ушедший", &[]).await;
    let keeper = customer(env, "Оставшийся", &[]).await;
    let waiting = svc.import_queue(&env.admin, &[LineState::Waiting], 10).await.unwrap();
    svc.import_accept(&env.admin, waiting[0].id, Some(gone.id)).await.unwrap();
    svc.merge_customers(&env.admin, keeper.id, gone.id).await.unwrap();
    let posted = svc.import_post(&env.admin).await.unwrap();
    assert_eq!((posted.posted, posted.failed.len()), (1, 1), "{posted:?}");
    assert_eq!(posted.failed[0].0, waiting[0].id);
    assert_eq!(svc.customer_card(&env.admin, c.id).await.unwrap().customer.balance, money("250"));
    let left = svc.import_queue(&env.admin, &[LineState::Accepted], 10).await.unwrap();
    assert_eq!(left.len(), 1, "the refused line stays accepted");
}
both_backends!(registry, a_registry_by_its_preset);

/// Two desks post the same accepted lines at once: each line is one payment, the balances
/// move once, both reports together count every line.
async fn two_desks_post_at_once(env: &Env) {
    let svc = &env.svc;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            customer(env, &format!("Одновременный {i}"), &[("agreement_number", &format!("4000{i}"))])
                .await
                .id,
        );
    }
    let docs: Vec<BankDocument> = (0..60)
        .map(|n| {
            let payer_account = format!("408178100000000{n:05}");
            doc(
                &format!("{}", 500 + n),
                25,
                100,
                "Плательщик",
                &payer_account,
                &format!("Оплата по договору 4000{}", n % 5),
            )
        })
        .collect();
    let file = bank::write(&statement("1.03", docs), "Windows");
    svc.import_statement(&env.admin, "two.txt", &file, false).await.unwrap();
    assert_eq!(svc.import_accept_sure(&env.admin).await.unwrap(), 60);
    let other = svc.login("admin", crate::common::PASSWORD, "Касса 2").await.unwrap();
    let (a, b) = tokio::join!(svc.import_post(&env.admin), svc.import_post(&other));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.failed.is_empty() && b.failed.is_empty(), "{a:?} {b:?}");
    assert_eq!(a.posted + b.posted, 60, "{a:?} {b:?}");
    for id in ids {
        assert_eq!(
            svc.customer_card(&env.admin, id).await.unwrap().customer.balance,
            money("1 200"),
            "12 × 100 once"
        );
    }
    assert_eq!(svc.import_queue(&env.admin, &[LineState::Posted], 100).await.unwrap().len(), 60);
}
both_backends!(two_desks, two_desks_post_at_once);
