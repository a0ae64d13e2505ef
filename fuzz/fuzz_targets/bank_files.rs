//! The bank files kassa reads: a 1CClientBankExchange statement (any bytes after its first
//! line) and an agent's registry by a preset, on whatever libFuzzer makes up. A refusal is
//! fine; a panic is the bug.
#![no_main]

use kassa::domain::bank::{RegistryPreset, parse, parse_registry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut statement = b"1CClientBankExchange\r\n".to_vec();
    statement.extend_from_slice(data);
    let _ = parse(&statement);
    let _ = parse(data);
    let preset = RegistryPreset {
        agent: "agent".into(),
        delimiter: ";".into(),
        encoding: Some("cp1251".into()),
        header_lines: 1,
        date: 1,
        date_format: None,
        agreement: Some(2),
        account: None,
        amount: 3,
        transaction: 4,
        payer: Some(5),
    };
    let _ = parse_registry(data, &preset);
});
