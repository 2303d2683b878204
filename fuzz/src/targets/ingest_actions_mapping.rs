//! Raw bytes as an action CSV read with an explicit `ActionsMapping` (`--account who --time
//! when --object what`, content `id`, object account `whose`; the object kind from the second
//! byte). The bytes are the whole file, header included: seeds start with
//! `id,who,when,what,whose`. First byte: options.

use coordnet::ingest::{ActionsMapping, ObjectKind};

/// One execution on `data`.
pub fn run(data: &[u8]) {
    let (flags, rest) = crate::split_flags(data);
    let (choice, file) = crate::split_flags(rest);
    let kind = ObjectKind::ALL[choice as usize % ObjectKind::ALL.len()];
    let mapping = ActionsMapping {
        account: "who".into(),
        time: "When".into(), // names are matched lowercased
        object: "what".into(),
        content: (choice & 0x40 == 0).then(|| "id".into()),
        object_account: (choice & 0x80 == 0).then(|| "whose".into()),
        kind,
    };
    let opts = crate::options(flags, None, Some(mapping));
    crate::ingest("fuzz-input.csv", file, &opts);
}
