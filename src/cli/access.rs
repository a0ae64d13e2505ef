//! `kassa token …` and `kassa operator key …`: tokens for scripts and SSH keys for `kassa serve`.

use super::args::{KeyCmd, TokenCmd};
use super::{CliError, CliResult, confirm, out, parse_day};
use crate::cli::Cli;
use crate::domain::access::{ApiToken, OperatorKey, TokenState};
use crate::domain::dates;
use crate::service::{Actor, Service};

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| dates::local(t).format("%d.%m.%Y %H:%M").to_string()).unwrap_or_else(|| "-".into())
}

fn token_line(t: &ApiToken) -> String {
    let state = match (t.state(chrono::Utc::now()), t.expires_at) {
        (TokenState::Revoked, _) => format!("revoked {}", when(t.revoked_at)),
        (TokenState::Expired, e) => format!("expired {}", when(e)),
        (TokenState::Valid, Some(e)) => format!("until {}", when(Some(e))),
        (TokenState::Valid, None) => "until revoked".into(),
    };
    format!(
        "{:>4}  {:<12}  {:<24}  created {}  used {}  {state}",
        t.id,
        t.operator_login,
        t.name,
        when(Some(t.created_at)),
        when(t.last_used_at)
    )
}

fn key_line(k: &OperatorKey) -> String {
    format!("{:>4}  {}  {}  {}", k.id, k.algorithm, k.fingerprint, k.comment)
}

pub async fn token(cli: &Cli, svc: &Service, actor: &Actor, cmd: &TokenCmd) -> CliResult<()> {
    let json = cli.json;
    match cmd {
        TokenCmd::Create { name, for_login, expires } => {
            let expires = parse_day("--expires", expires)?;
            let (token, secret) = svc.create_token(actor, for_login.as_deref(), name, expires).await?;
            let shown = serde_json::json!({"token": token, "secret": secret.as_str()});
            out(json, &shown, |_| {
                format!(
                    "Token {} '{}' acts as '{}'; {}.\n{}\nKeep it now: kassa keeps only its hash. Use it as KASSA_TOKEN={}",
                    token.id,
                    token.name,
                    token.operator_login,
                    token
                        .expires_at
                        .map(|e| format!("works until {}", when(Some(e))))
                        .unwrap_or("works until revoked".into()),
                    secret.as_str(),
                    secret.as_str()
                )
            });
        }
        TokenCmd::List { for_login } => {
            let tokens = svc.list_tokens(actor, for_login.as_deref()).await?;
            out(json, &tokens, |ts| {
                if ts.is_empty() {
                    "No tokens.".into()
                } else {
                    ts.iter().map(token_line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        TokenCmd::Revoke { id } => {
            confirm(cli, &format!("Revoke token {id}? Scripts using it stop working."))?;
            let t = svc.revoke_token(actor, *id).await?;
            out(json, &t, |t| format!("Token {} '{}' of '{}' is revoked.", t.id, t.name, t.operator_login));
        }
    }
    Ok(())
}

pub async fn key(cli: &Cli, svc: &Service, actor: &Actor, cmd: &KeyCmd) -> CliResult<()> {
    let json = cli.json;
    match cmd {
        KeyCmd::Add { login, file } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::usage(format!("cannot read {}: {e}", file.display())))?;
            let keys = svc.add_operator_keys(actor, login, &text).await?;
            out(json, &keys, |ks| {
                let lines: Vec<String> = ks.iter().map(key_line).collect();
                format!("Registered to '{login}' for kassa serve:\n{}", lines.join("\n"))
            });
        }
        KeyCmd::List { login } => {
            let keys = svc.operator_keys(actor, login).await?;
            out(json, &keys, |ks| {
                if ks.is_empty() {
                    format!("'{login}' has no SSH keys.")
                } else {
                    ks.iter().map(key_line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        KeyCmd::Remove { login, key } => {
            confirm(cli, &format!("Remove the SSH key {key} of '{login}'?"))?;
            let k = svc.remove_operator_key(actor, login, key).await?;
            out(json, &k, |k| format!("Removed the key {} of '{login}'.", k.fingerprint));
        }
    }
    Ok(())
}
