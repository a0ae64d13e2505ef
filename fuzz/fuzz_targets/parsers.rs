//! Every parser of typed input at once (amounts, IP and MAC addresses, phones, dates, the
//! search query): `kassa::domain::typed_input::check` on whatever libFuzzer makes up.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        kassa::domain::typed_input::check(s);
    }
});
