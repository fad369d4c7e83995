//! Who a reply goes to, and from which of the user's addresses.

use super::Identity;
use super::address::{Address, dedup, parse_addresses, same_email};
use super::original::Original;

/// Whether `email` is the user's: the account's address or an alias
/// (`*@domain` matches the whole domain).
pub fn is_mine(me: &Identity, email: &str) -> bool {
    same_email(&me.email, email) || me.aliases.iter().any(|a| alias_matches(a, email))
}

fn alias_matches(alias: &str, email: &str) -> bool {
    let alias = alias_email(alias);
    if let Some(domain) = alias.strip_prefix("*@") {
        return email
            .rsplit_once('@')
            .is_some_and(|(_, d)| same_email(d, domain));
    }
    same_email(&alias, email)
}

/// An alias may be written `Name <a@b>`: the address.
fn alias_email(alias: &str) -> String {
    match parse_addresses(alias) {
        Ok(list) if list.len() == 1 => list[0].email.clone(),
        _ => alias.trim().to_string(),
    }
}

/// The identity's own address with its name.
pub fn my_address(me: &Identity) -> Address {
    Address {
        name: me.name.clone().filter(|n| !n.trim().is_empty()),
        email: me.email.trim().to_string(),
    }
}

/// The From of an answer: the address the original reached the user at
/// (To, Cc, then Delivered-To), the account's own address first; else
/// the account's address.
pub fn from_for(me: &Identity, original: &Original) -> Address {
    let reached: Vec<&Address> = original
        .to
        .iter()
        .chain(&original.cc)
        .chain(&original.bcc)
        .chain(&original.delivered_to)
        .collect();
    if reached.iter().any(|a| same_email(&a.email, &me.email)) {
        return my_address(me);
    }
    match reached.iter().find(|a| is_mine(me, &a.email)) {
        Some(a) => Address {
            name: me.name.clone().filter(|n| !n.trim().is_empty()),
            email: a.email.clone(),
        },
        None => my_address(me),
    }
}

/// Reply: to Reply-To, else From. The user's own message (in Sent)
/// is answered to its recipients, as mutt does.
pub fn reply_to(me: &Identity, original: &Original) -> Vec<Address> {
    if !original.reply_to.is_empty() {
        return dedup(original.reply_to.clone());
    }
    let from_me = !original.from.is_empty() && original.from.iter().all(|a| is_mine(me, &a.email));
    if from_me && !original.to.is_empty() {
        return dedup(original.to.clone());
    }
    dedup(original.from.clone())
}

/// Reply to all: (To, Cc). Mail-Followup-To, when there is one, is where
/// the sender asked answers to go; else the reply's address plus the
/// original's To and Cc. The user's addresses and repeats are left out.
pub fn reply_all(me: &Identity, original: &Original) -> (Vec<Address>, Vec<Address>) {
    let not_mine = |list: Vec<Address>| -> Vec<Address> {
        dedup(
            list.into_iter()
                .filter(|a| !is_mine(me, &a.email))
                .collect(),
        )
    };
    if !original.followup_to.is_empty() {
        return (not_mine(original.followup_to.clone()), Vec::new());
    }
    let mut to = not_mine(reply_to(me, original));
    let mut cc: Vec<Address> = not_mine(original.to.iter().chain(&original.cc).cloned().collect());
    cc.retain(|a| !to.iter().any(|t| same_email(&t.email, &a.email)));
    if to.is_empty() {
        // Answering only oneself: the others are the recipients.
        to = std::mem::take(&mut cc);
    }
    (to, cc)
}
