//! Messages with a customer (UserSide `msg`, `msg_add`, `msg_add_to_customer`): the customer's
//! own words taken down at the desk, and employees' messages to the customer; an archive flag
//! keeps old ones out of the way without losing them.

use super::Entity;
use super::{Conflict, Problem};
use chrono::NaiveDate;

use super::{Actor, Result, Service, ServiceError, audit, customer_exists, now};
use crate::domain::dates::check_period;
use crate::domain::role::Permission;
use crate::store::messages::{self, Direction, Message, MessageFilter};
use crate::store::operators;

/// The longest message kassa keeps.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// What to list: by customer, by days, by the employee who entered them.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    pub customer_id: Option<i64>,
    /// An operator's login.
    pub operator: Option<String>,
    pub from: Option<NaiveDate>,
    /// The last day, included.
    pub to: Option<NaiveDate>,
    pub archived: Option<bool>,
    pub limit: i64,
}

impl Service {
    /// Adds a message from the customer (`msg_add`) or to the customer (`msg_add_to_customer`).
    pub async fn add_message(
        &self,
        actor: &Actor,
        customer_id: i64,
        direction: Direction,
        body: &str,
    ) -> Result<Message> {
        self.require(actor, Permission::CustomerEdit).await?;
        // the text as written: line breaks kept, other control characters and the ends trimmed
        let kept: String = body.chars().filter(|c| *c == '\n' || !c.is_control()).collect();
        let body = kept.trim();
        if body.is_empty() {
            return Err(ServiceError::invalid("text", Problem::Missing));
        }
        if body.chars().count() > MAX_MESSAGE_CHARS {
            return Err(ServiceError::invalid("text", Problem::TooLong(MAX_MESSAGE_CHARS)));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        customer_exists(&mut db, customer_id).await?;
        let id = messages::insert(&mut db, customer_id, direction, body, actor.operator_id, now()).await?;
        let m = messages::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Message, format!("{id}")))?;
        audit::<(), _>(&mut db, Some(actor), "message.add", "customer", Some(customer_id), None, Some(&m))
            .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Messages by customer, by days and by employee, newest first (`msg`).
    pub async fn messages(&self, actor: &Actor, q: &MessageQuery) -> Result<Vec<Message>> {
        self.require(actor, Permission::CustomerRead).await?;
        if !(1..=1000).contains(&q.limit) {
            return Err(ServiceError::invalid("limit", Problem::Range(1, 1000)));
        }
        check_period(q.from, q.to).map_err(|e| ServiceError::invalid("from", e))?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        if let Some(c) = q.customer_id {
            customer_exists(&mut db, c).await?;
        }
        let operator_id = match &q.operator {
            Some(login) => Some(
                operators::by_login(&mut db, login.trim())
                    .await?
                    .ok_or_else(|| ServiceError::NotFound(Entity::Operator, format!("'{}'", login.trim())))?
                    .0
                    .id,
            ),
            None => None,
        };
        let filter = MessageFilter {
            customer_id: q.customer_id,
            operator_id,
            from: q.from.map(crate::domain::dates::day_start),
            until: q.to.map(crate::domain::dates::day_end),
            archived: q.archived,
            limit: q.limit,
        };
        Ok(messages::list(&mut db, &filter).await?)
    }

    /// Moves a message to the archive or back.
    pub async fn archive_message(&self, actor: &Actor, id: i64, archived: bool) -> Result<Message> {
        self.require(actor, Permission::CustomerEdit).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = messages::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Message, format!("{id}")))?;
        if before.archived == archived {
            return Err(ServiceError::Conflict(Conflict::Archive { id, archived }));
        }
        messages::set_archived(&mut db, id, archived).await?;
        let after = Message { archived, ..before.clone() };
        audit(
            &mut db,
            Some(actor),
            "message.archive",
            "customer",
            Some(before.customer_id),
            Some(&before.archived),
            Some(&after.archived),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
