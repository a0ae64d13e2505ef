//! Payments from banks: a 1CClientBankExchange statement or an agent's registry is read,
//! checked, matched to customers and kept as lines of a triage queue; an operator accepts,
//! matches, remembers or skips them; the accepted ones are posted as payments of method bank,
//! each exactly once (its line's idempotency key), however often the post is repeated.
//!
//! Matching, in order: a number in the purpose that is one customer's agreement or personal
//! account number («Оплата по договору 10234», «л/с 100010234»: sure); a payer an operator
//! remembered (by account or INN: sure); the payer's exact name (one customer by that name:
//! likely). Several customers, or none, and the line waits: nothing is guessed.

use std::collections::HashMap;

use super::{Actor, Result, Service, ServiceError, audit, now};
use super::{Entity, Problem};
use crate::domain::bank::{self, RegistryPreset};
use crate::domain::import::{
    BankLine, ImportReport, LineState, PostReport, WAIT_NAMESAKES, WAIT_NOTHING, WAIT_SEVERAL, payer_keys,
};
use crate::domain::ledger::{BankDetails, PaymentMethod};
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::Db;
use crate::store::imports::{self, NewLine};

/// One incoming payment as read from a file, before it is matched.
struct Incoming {
    identity: String,
    doc_number: String,
    doc_date: Option<chrono::NaiveDate>,
    paid_on: Option<chrono::NaiveDate>,
    amount: Money,
    payer: String,
    payer_account: String,
    payer_inn: String,
    purpose: String,
    /// Numbers that may name the customer, best first.
    numbers: Vec<String>,
}

/// Proposes a customer for each line as the rules say (see the module's doc).
async fn match_lines(db: &mut Db<'_>, items: &[Incoming]) -> Result<Vec<NewLine>> {
    let mut numbers: Vec<String> = items.iter().flat_map(|i| i.numbers.iter().cloned()).collect();
    numbers.sort();
    numbers.dedup();
    let mut by_number: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    let merged = imports::merged(db).await?;
    for (n, id, what) in
        imports::customers_by_numbers(db, &numbers).await?.into_iter().filter(|c| !merged.contains(&c.1))
    {
        by_number.entry(n).or_default().push((id, what));
    }
    let mut keys: Vec<String> =
        items.iter().flat_map(|i| payer_keys(&i.payer_account, &i.payer_inn)).collect();
    keys.sort();
    keys.dedup();
    let remembered: HashMap<String, i64> = imports::payer_links(db, &keys).await?.into_iter().collect();
    // the names of the payers nothing else matched: one look for all of them
    let unmatched_names: Vec<String> = items
        .iter()
        .filter(|i| !i.numbers.iter().any(|n| by_number.contains_key(n)))
        .map(|i| text::normalise(&i.payer))
        .filter(|n| !n.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
    for (name, id) in imports::customers_by_names(db, &unmatched_names)
        .await?
        .into_iter()
        .filter(|c| !merged.contains(&c.1))
    {
        by_name.entry(name).or_default().push(id);
    }
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        let mut line = NewLine {
            identity: i.identity.clone(),
            doc_number: i.doc_number.clone(),
            doc_date: i.doc_date,
            paid_on: i.paid_on,
            amount: i.amount,
            payer: i.payer.clone(),
            payer_account: i.payer_account.clone(),
            payer_inn: i.payer_inn.clone(),
            purpose: i.purpose.clone(),
            customer_id: None,
            rule: None,
            certainty: None,
            state: LineState::Waiting,
            note: None,
        };
        let mut found: Vec<(i64, String, String)> = Vec::new();
        for n in &i.numbers {
            for (id, what) in by_number.get(n).into_iter().flatten() {
                if !found.iter().any(|f| f.0 == *id) {
                    found.push((*id, what.clone(), n.clone()));
                }
            }
        }
        let payer =
            payer_keys(&i.payer_account, &i.payer_inn).iter().find_map(|k| remembered.get(k).copied());
        let proposal = match (found.as_slice(), payer) {
            ([(id, what, _)], _) => Some((*id, what.clone(), "sure")),
            ([], Some(id)) => Some((id, "payer".to_string(), "sure")),
            ([], None) => {
                let namesakes = by_name.get(&text::normalise(&i.payer)).map(Vec::as_slice).unwrap_or(&[]);
                match namesakes {
                    [id] => Some((*id, "name".to_string(), "likely")),
                    [] => {
                        line.note = Some(WAIT_NOTHING.into());
                        None
                    }
                    _ => {
                        line.note = Some(WAIT_NAMESAKES.into());
                        None
                    }
                }
            }
            (several, _) => {
                let named: Vec<&str> = several.iter().map(|f| f.2.as_str()).collect();
                line.note = Some(format!("{WAIT_SEVERAL}{}", named.join(", ")));
                None
            }
        };
        if let Some((id, rule, certainty)) = proposal {
            line.customer_id = Some(id);
            line.rule = Some(rule);
            line.certainty = Some(certainty.to_string());
            line.state = LineState::Proposed;
        }
        out.push(line);
    }
    Ok(out)
}

fn as_bank_line(l: &NewLine, source: &str) -> BankLine {
    BankLine {
        id: 0,
        import_id: 0,
        source: source.to_string(),
        identity: l.identity.clone(),
        doc_number: l.doc_number.clone(),
        doc_date: l.doc_date,
        paid_on: l.paid_on,
        amount: l.amount,
        payer: l.payer.clone(),
        payer_account: l.payer_account.clone(),
        payer_inn: l.payer_inn.clone(),
        purpose: l.purpose.clone(),
        customer_id: l.customer_id,
        agreement: None,
        customer_name: None,
        rule: l.rule.clone(),
        certainty: l.certainty.clone(),
        state: l.state,
        note: l.note.clone(),
        operation_id: None,
    }
}

/// Who may import and post: the administrator (a bank payment's document is theirs to give).
const IMPORT: Permission = Permission::LedgerAdjust;

impl Service {
    /// Reads a 1CClientBankExchange statement (1.02 or 1.03; cp1251, cp866 or UTF-8), checks
    /// its arithmetic (refused whole, saying by how much), and queues every incoming document
    /// kassa has not seen (by its identity), matched. `dry_run` writes nothing.
    pub async fn import_statement(
        &self,
        actor: &Actor,
        source: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.require(actor, IMPORT).await?;
        let st = bank::parse(bytes).map_err(|e| ServiceError::invalid("file", Problem::BankFile(e)))?;
        let items: Vec<Incoming> = st
            .incoming()
            .map(|d| Incoming {
                identity: d.identity(&st.account),
                doc_number: d.number.clone(),
                doc_date: d.date,
                paid_on: d.paid_on(),
                amount: d.amount,
                payer: d.payer.clone(),
                payer_account: d.payer_account.clone(),
                payer_inn: d.payer_inn.clone(),
                purpose: d.purpose.clone(),
                numbers: bank::numbers_in_purpose(&d.purpose),
            })
            .collect();
        let not_incoming = st.documents.len() - items.len();
        let mut report = self.queue_lines(actor, "statement", source, &st.account, items, dry_run).await?;
        report.documents = st.documents.len();
        report.not_incoming = not_incoming;
        Ok(report)
    }

    /// Reads an agent's registry by its preset and queues every payment kassa has not seen
    /// (the agent and its transaction id), matched by the agreement or account column.
    pub async fn import_registry(
        &self,
        actor: &Actor,
        source: &str,
        bytes: &[u8],
        preset: &RegistryPreset,
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.require(actor, IMPORT).await?;
        let lines = bank::parse_registry(bytes, preset)
            .map_err(|e| ServiceError::invalid("file", Problem::BankFile(e)))?;
        let documents = lines.len();
        let items: Vec<Incoming> = lines
            .into_iter()
            .map(|l| Incoming {
                identity: l.identity(&preset.agent),
                doc_number: l.transaction.clone(),
                doc_date: Some(l.date),
                paid_on: Some(l.date),
                amount: l.amount,
                payer: l.payer.clone(),
                payer_account: String::new(),
                payer_inn: String::new(),
                purpose: format!("{}: {}", preset.agent, l.transaction),
                numbers: l.agreement.iter().chain(l.account.iter()).cloned().collect(),
            })
            .collect();
        let mut report = self.queue_lines(actor, "registry", source, &preset.agent, items, dry_run).await?;
        report.documents = documents;
        Ok(report)
    }

    /// Loads the file at `path` on this machine: a 1CClientBankExchange statement, or with
    /// `preset` an agent's registry read by the config's preset of that name. What the
    /// console's «загрузить файл» does.
    pub async fn import_file(&self, actor: &Actor, path: &str, preset: Option<&str>) -> Result<ImportReport> {
        self.require(actor, IMPORT).await?;
        let path = path.trim();
        let registry =
            preset
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|name| {
                    self.config.import_presets.get(name).cloned().ok_or_else(|| {
                        ServiceError::invalid("preset", Problem::UnknownPreset(name.to_string()))
                    })
                })
                .transpose()?;
        let bytes = tokio::fs::read(path).await.map_err(|e| {
            ServiceError::invalid(
                "file",
                Problem::FileUnreadable(crate::domain::problem::FileTrouble::of(&e)),
            )
        })?;
        // the source as the queue shows it: the file's name
        let source =
            std::path::Path::new(path).file_name().map_or(path.to_string(), |n| n.to_string_lossy().into());
        match registry {
            Some(p) => self.import_registry(actor, &source, &bytes, &p, false).await,
            None => self.import_statement(actor, &source, &bytes, false).await,
        }
    }

    /// Matches the lines not seen before and, unless `dry_run`, writes them with the import,
    /// in one transaction.
    async fn queue_lines(
        &self,
        actor: &Actor,
        kind: &str,
        source: &str,
        account: &str,
        items: Vec<Incoming>,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let mut report = ImportReport { dry_run, ..Default::default() };
        let identities: Vec<String> = items.iter().map(|i| i.identity.clone()).collect();
        let (fresh, matched) = {
            let mut tx = self.store.read().await?;
            let mut db = tx.db();
            let known: std::collections::HashSet<String> =
                imports::known(&mut db, &identities).await?.into_iter().collect();
            let mut seen = std::collections::HashSet::new();
            let fresh: Vec<Incoming> = items
                .into_iter()
                .filter(|i| !known.contains(&i.identity) && seen.insert(i.identity.clone()))
                .collect();
            let matched = match_lines(&mut db, &fresh).await?;
            (fresh, matched)
        };
        report.already_known = identities.len() - fresh.len();
        let write = async {
            if dry_run {
                return Ok::<_, ServiceError>(
                    matched.iter().map(|l| as_bank_line(l, source)).collect::<Vec<_>>(),
                );
            }
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            let id = imports::insert_import(
                &mut db,
                kind,
                source,
                account,
                now(),
                actor.operator_id,
                identities.len() as i64,
            )
            .await?;
            // a line another desk imported a moment ago is theirs
            let ids: HashMap<String, i64> =
                imports::insert_lines(&mut db, id, &matched).await?.into_iter().collect();
            let written: Vec<BankLine> = matched
                .iter()
                .filter_map(|l| {
                    ids.get(&l.identity).map(|line_id| BankLine {
                        id: *line_id,
                        import_id: id,
                        ..as_bank_line(l, source)
                    })
                })
                .collect();
            imports::set_new_lines(&mut db, id, written.len() as i64).await?;
            let summary = serde_json::json!({ "kind": kind, "source": source, "account": account,
                "documents": identities.len(), "new_lines": written.len() });
            audit::<(), _>(
                &mut db,
                Some(actor),
                &format!("import.{kind}"),
                "bank_import",
                Some(id),
                None,
                Some(&summary),
            )
            .await?;
            tx.commit().await?;
            report.import_id = Some(id);
            Ok(written)
        };
        let lines = write.await?;
        report.already_known += fresh.len() - lines.len();
        report.new_lines = lines.len();
        report.proposed = lines.iter().filter(|l| l.state == LineState::Proposed).count();
        report.waiting = lines.iter().filter(|l| l.state == LineState::Waiting).count();
        report.total = Money::from_minor(lines.iter().map(|l| l.amount.minor()).sum());
        report.lines = lines;
        Ok(report)
    }

    /// The queue: lines in `states` (all when empty), oldest first.
    pub async fn import_queue(
        &self,
        actor: &Actor,
        states: &[LineState],
        limit: i64,
    ) -> Result<Vec<BankLine>> {
        self.require(actor, IMPORT).await?;
        if !(1..=100_000).contains(&limit) {
            return Err(ServiceError::invalid("limit", Problem::Range(1, 100_000)));
        }
        let mut tx = self.store.read().await?;
        Ok(imports::lines(&mut tx.db(), states, limit).await?)
    }

    /// One line of the queue, whole.
    pub async fn import_line(&self, actor: &Actor, id: i64) -> Result<BankLine> {
        self.require(actor, IMPORT).await?;
        let mut tx = self.store.read().await?;
        imports::get(&mut tx.db(), id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::BankLine, id.to_string()))
    }

    async fn line_for_decision(db: &mut Db<'_>, id: i64) -> Result<BankLine> {
        let line = imports::get(db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::BankLine, id.to_string()))?;
        if line.state == LineState::Posted {
            return Err(ServiceError::invalid("line", Problem::LinePosted(id)));
        }
        Ok(line)
    }

    /// Accepts line `id` for posting: for `customer` when given (matched by the operator),
    /// else for the customer a rule proposed.
    pub async fn import_accept(&self, actor: &Actor, id: i64, customer: Option<i64>) -> Result<BankLine> {
        self.require(actor, IMPORT).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = Self::line_for_decision(&mut db, id).await?;
        let (customer_id, rule) = match customer {
            Some(c) => {
                super::customer_exists(&mut db, c).await?;
                (c, Some("manual"))
            }
            None => (
                before.customer_id.ok_or_else(|| ServiceError::invalid("line", Problem::NoCustomer(id)))?,
                None,
            ),
        };
        imports::decide(
            &mut db,
            id,
            LineState::Accepted,
            Some(customer_id),
            rule,
            None,
            actor.operator_id,
            now(),
        )
        .await?;
        let after = imports::get(&mut db, id).await?.unwrap_or(before.clone());
        audit(&mut db, Some(actor), "import.accept", "bank_line", Some(id), Some(&before), Some(&after))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Accepts every proposed line a rule is sure of, in one statement with one audit row
    /// naming them; how many.
    pub async fn import_accept_sure(&self, actor: &Actor) -> Result<usize> {
        self.require(actor, IMPORT).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let ids = imports::accept_sure(&mut db, actor.operator_id, now()).await?;
        let what = serde_json::json!({ "accepted": ids });
        audit::<(), _>(&mut db, Some(actor), "import.accept_sure", "bank_line", None, None, Some(&what))
            .await?;
        tx.commit().await?;
        Ok(ids.len())
    }

    /// Skips line `id` with the reason: it will not be posted (accepting it later still may).
    pub async fn import_skip(&self, actor: &Actor, id: i64, reason: &str) -> Result<BankLine> {
        self.require(actor, IMPORT).await?;
        let reason = text::clean(reason);
        if reason.is_empty() {
            return Err(ServiceError::invalid("comment", Problem::ReasonRequired));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = Self::line_for_decision(&mut db, id).await?;
        imports::decide(&mut db, id, LineState::Skipped, None, None, Some(&reason), actor.operator_id, now())
            .await?;
        let after = imports::get(&mut db, id).await?.unwrap_or(before.clone());
        audit(&mut db, Some(actor), "import.skip", "bank_line", Some(id), Some(&before), Some(&after))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Remembers line `id`'s payer (account and INN) as its customer: their next payments are
    /// proposed for that customer. How many keys were remembered.
    pub async fn import_remember(&self, actor: &Actor, id: i64) -> Result<usize> {
        self.require(actor, IMPORT).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let line = imports::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::BankLine, id.to_string()))?;
        let customer =
            line.customer_id.ok_or_else(|| ServiceError::invalid("line", Problem::NoCustomer(id)))?;
        let keys = line.payer_keys();
        for k in &keys {
            imports::remember_payer(&mut db, k, customer, actor.operator_id, now()).await?;
        }
        let what = serde_json::json!({ "keys": keys, "customer_id": customer });
        audit::<(), _>(&mut db, Some(actor), "import.remember", "bank_line", Some(id), None, Some(&what))
            .await?;
        tx.commit().await?;
        Ok(keys.len())
    }

    /// Posts every accepted line as a payment of method bank with the document's number, date
    /// and payer, each under its line's idempotency key: a post killed half-way and repeated
    /// posts the rest and finds the ones done (`already`). A line that fails stays accepted
    /// and is said.
    pub async fn import_post(&self, actor: &Actor) -> Result<PostReport> {
        let (mut report, refused) = self.import_post_refusals(actor).await?;
        report.failed = refused.into_iter().map(|(id, e)| (id, e.to_string())).collect();
        Ok(report)
    }

    /// `import_post`, with each refused line's refusal as it is (the console says it in its
    /// own words); `failed` of the report is left empty.
    pub async fn import_post_refusals(
        &self,
        actor: &Actor,
    ) -> Result<(PostReport, Vec<(i64, ServiceError)>)> {
        self.require(actor, IMPORT).await?;
        let accepted = self.import_queue(actor, &[LineState::Accepted], 100_000).await?;
        let mut report = PostReport::default();
        let mut refused = Vec::new();
        // PostgreSQL posts each in one statement of its own (one round trip, its commit brief);
        // SQLite writes a batch per transaction (one sync of the file per batch)
        let batch = match self.store.backend() {
            crate::store::Backend::Postgres => 1,
            crate::store::Backend::Sqlite => POST_BATCH,
        };
        // PostgreSQL's lines, posted after this loop a few at a time
        let mut one_by_one = Vec::new();
        for chunk in accepted.chunks(batch) {
            let mut ready = Vec::with_capacity(chunk.len());
            for l in chunk {
                let Some(req) = payment_of(l) else { continue };
                match self.payment_operation(actor, &req).await {
                    // not taken at a desk: no shift's drawer, no desk's report
                    Ok(op) => ready.push((l, crate::store::ledger::NewOperation { desk: None, ..op })),
                    Err(e) => refused.push((l.id, e)),
                }
            }
            if batch == 1 {
                one_by_one.extend(ready.into_iter().map(|(l, op)| (l.clone(), op)));
                continue;
            }
            match self.post_batch(actor, &ready).await {
                Ok(done) => {
                    for (l, replayed) in done {
                        tally(&mut report, l, replayed);
                    }
                }
                // one of them refused where it is written: each alone, to say which
                Err(_) => {
                    for (l, op) in ready {
                        match self.post_prepared(actor, l, op).await? {
                            Ok(replayed) => tally(&mut report, l, replayed),
                            Err(e) => refused.push((l.id, e)),
                        }
                    }
                }
            }
        }
        // PostgreSQL: each line its own statement and commit, a few at once — their commits
        // share the server's flushes of the log, where one after another each waited for its own
        let mut lines = one_by_one.into_iter();
        let mut running = tokio::task::JoinSet::new();
        loop {
            while running.len() < POST_AT_ONCE
                && let Some((l, op)) = lines.next()
            {
                let (svc, actor) = (self.clone(), actor.clone());
                running.spawn(async move {
                    let posted = svc.post_prepared(&actor, &l, op).await;
                    posted.map(|outcome| (l, outcome))
                });
            }
            let Some(done) = running.join_next().await else { break };
            match done
                .map_err(|e| ServiceError::Store(crate::store::StoreError::Backend(e.to_string())))??
            {
                (l, Ok(replayed)) => tally(&mut report, &l, replayed),
                (l, Err(e)) => refused.push((l.id, e)),
            }
        }
        Ok((report, refused))
    }

    /// Writes `ready` in one transaction, each line marked posted with its payment: the whole
    /// batch or none of it (a kill between two batches leaves each whole).
    async fn post_batch<'a>(
        &self,
        actor: &Actor,
        ready: &[(&'a BankLine, crate::store::ledger::NewOperation)],
    ) -> Result<Vec<(&'a BankLine, bool)>> {
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let mut done = Vec::with_capacity(ready.len());
        for (l, op) in ready {
            // a bank payment takes no cash receipt (ПКО) number: its document is the bank's
            let (operation, replayed) = match super::money::append(&mut db, actor, op.clone(), false).await? {
                super::money::Appended::New(o) => (o, false),
                super::money::Appended::Replay(o) => (o, true),
            };
            imports::set_posted(&mut db, l.id, operation.id).await?;
            done.push((*l, replayed));
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Posts line `l`'s payment `op` alone and marks the line posted. The inner answer: whether
    /// it had been posted before (a post killed half-way and repeated), or why it was refused.
    async fn post_prepared(
        &self,
        actor: &Actor,
        l: &BankLine,
        op: crate::store::ledger::NewOperation,
    ) -> Result<std::result::Result<bool, ServiceError>> {
        let done = match self.post(actor, op, false).await {
            Ok(done) => done,
            Err(e) => return Ok(Err(e)),
        };
        match self.store.autocommit().await? {
            Some(mut one) => imports::set_posted(&mut one.db(), l.id, done.operation.id).await?,
            None => {
                let mut tx = self.store.write().await?;
                imports::set_posted(&mut tx.db(), l.id, done.operation.id).await?;
                tx.commit().await?;
            }
        }
        Ok(Ok(done.replayed))
    }
}

/// Lines posted in one transaction: a batch keeps the desks' payments waiting on PostgreSQL's
/// row locks for a few milliseconds at most.
const POST_BATCH: usize = 100;

/// PostgreSQL: lines posted at the same time, each in its own statement (the pool has eight
/// connections; the desks keep the rest).
const POST_AT_ONCE: usize = 4;

fn tally(report: &mut PostReport, l: &BankLine, replayed: bool) {
    if replayed {
        report.already += 1;
    } else {
        report.posted += 1;
        report.total = Money::from_minor(report.total.minor() + l.amount.minor());
    }
}

/// The payment a line becomes: method bank, the document's number, date and payer, the day
/// paid, under the line's own idempotency key.
fn payment_of(l: &BankLine) -> Option<super::PaymentRequest> {
    let today = crate::domain::dates::today();
    let customer_id = l.customer_id?;
    let number: String = l.doc_number.chars().filter(|c| !c.is_whitespace()).take(64).collect();
    let payer: String = l.payer.chars().take(200).collect();
    let comment: String = format!("{}: {}", l.source, l.purpose).chars().take(500).collect();
    Some(super::PaymentRequest {
        customer_id,
        amount: l.amount,
        method: PaymentMethod::Bank,
        method_code: None,
        receipt_number: None,
        comment: Some(comment),
        idempotency_key: Some(format!("bank-line-{}", l.id)),
        received: None,
        bank: Some(BankDetails {
            paid_on: l.paid_on.filter(|d| *d <= today),
            document_number: Some(number).filter(|n| !n.is_empty()),
            document_date: l.doc_date.filter(|d| *d <= today),
            payer: Some(payer).filter(|p| !p.is_empty()),
        }),
    })
}
