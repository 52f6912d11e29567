//! Rendering of the vault commands: tables, JSON and the live code screen. What is shown comes
//! from core (names, grouped codes, countdowns); this file only lays it out.

use std::io::Write;
use std::time::Duration;

use serde_json::json;
use tessera_core::app::{self, CodeList, CodesQuery};
use tessera_core::vault::{AccountId, AccountSummary, Vault};

use crate::CliError;
use crate::session::vault_now_millis;
use crate::term::{self, safe, short_id};

/// Core's display name, safe to print (names come from files and servers).
pub(crate) fn name_of(issuer: &str, label: &str) -> String {
    safe(&app::display_name(issuer, label)).into_owned()
}

pub(crate) fn display_name(summary: &AccountSummary) -> String {
    name_of(&summary.issuer, &summary.label)
}

/// The first 8 characters of an id: what tables show (commands accept any unique prefix).
pub(crate) fn short(id: &AccountId) -> &str {
    short_id(id.as_str())
}

pub(crate) fn summary_json(s: &AccountSummary) -> serde_json::Value {
    json!({
        "id": s.id.as_str(),
        "issuer": s.issuer,
        "label": s.label,
        "type": s.params.kind.as_str(),
        "algorithm": s.params.algorithm.as_str(),
        "digits": s.params.digits,
        "period": s.params.period,
        "counter": s.params.counter,
        "groups": s.groups,
        "favorite": s.favorite,
        "icon": s.icon,
        "has_picture": s.has_picture,
        "position": s.position,
        "created_at": s.created_at,
        "trashed_at": s.trashed_at,
        "damaged": s.damaged,
    })
}

pub(crate) fn print_json(value: &serde_json::Value) -> Result<(), CliError> {
    println!("{}", term::json(value, true));
    Ok(())
}

pub(crate) fn print_summaries(list: &[AccountSummary], json: bool) -> Result<(), CliError> {
    if json {
        return print_json(&serde_json::Value::Array(
            list.iter().map(summary_json).collect(),
        ));
    }
    if list.is_empty() {
        println!("no accounts");
        return Ok(());
    }
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|s| {
            [
                short(&s.id).to_owned(),
                format!("{}{}", if s.favorite { "★ " } else { "" }, s.issuer),
                s.label.clone(),
                // A row that failed its integrity check shows what the file says, marked.
                if s.damaged {
                    "DAMAGED".to_owned()
                } else {
                    s.params.kind.as_str().to_owned()
                },
                s.groups.join(", "),
            ]
        })
        .collect();
    print_table(&["ID", "ISSUER", "LABEL", "TYPE", "GROUPS"], &rows);
    if list.iter().any(|s| s.damaged) {
        eprintln!(
            "warning: accounts marked DAMAGED were modified outside Tessera or are corrupt; their codes are refused (delete them and restore them from a backup)"
        );
    }
    Ok(())
}

/// Prints aligned columns. Every cell is made [`safe`] here, before widths are measured, so
/// no caller can forget it and the escapes are counted in the alignment.
pub(crate) fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let rows: Vec<[String; N]> = rows
        .iter()
        .map(|row| row.each_ref().map(|cell| safe(cell).into_owned()))
        .collect();
    let rows = rows.as_slice();
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                out.push_str(cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_owned()
    };
    println!("{}", line(header));
    for row in rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        println!("{}", line(&cells));
    }
}

/// One code list object per account, for `codes --json` (a script contract: README).
pub(crate) fn codes_json(list: &CodeList) -> serde_json::Value {
    serde_json::Value::Array(
        list.items
            .iter()
            .map(|item| {
                let mut object = json!({
                    "id": item.id.as_str(),
                    "issuer": item.issuer,
                    "label": item.label,
                    "display_name": item.display_name,
                    "type": item.kind.as_str(),
                    "code": item.code.as_ref().ok().map(|c| c.to_string()),
                    "display_code": item.display_code().map(|c| c.to_string()),
                    // 0 for HOTP, as before the field `valid_until` existed.
                    "remaining_seconds": item.remaining_seconds.unwrap_or(0),
                    "period": item.period,
                    "valid_until": item.valid_until,
                });
                if let Err(error) = &item.code {
                    object["error"] = json!(error.to_string());
                }
                object
            })
            .collect(),
    )
}

pub(crate) const CODE_HEADER: [&str; 4] = ["ID", "NAME", "CODE", "REMAINING"];

/// The table rows of a code list; `bars` draws the countdown as a bar (`--watch`).
pub(crate) fn code_rows(list: &CodeList, bars: bool) -> Vec<[String; 4]> {
    list.items
        .iter()
        .map(|item| {
            let remaining = match (&item.code, item.remaining_seconds, item.fraction_left) {
                (Err(_), _, _) => String::new(),
                (Ok(_), Some(seconds), Some(fraction)) if bars => countdown(seconds, fraction),
                (Ok(_), Some(seconds), _) => format!("{seconds}s"),
                (Ok(_), None, _) => "(counter)".to_owned(),
            };
            [
                short(&item.id).to_owned(),
                format!(
                    "{}{}",
                    if item.favorite { "★ " } else { "" },
                    item.display_name
                ),
                item.display_code()
                    .map_or_else(|| "(damaged)".to_owned(), |code| code.to_string()),
                remaining,
            ]
        })
        .collect()
}

/// `12s ██████░░░░` — the seconds left and a bar of the fraction of the period left.
pub(crate) fn countdown(remaining: u32, fraction_left: f64) -> String {
    const WIDTH: usize = 10;
    let full = ((fraction_left * WIDTH as f64).ceil() as usize).min(WIDTH);
    format!(
        "{remaining:>2}s {}{}",
        "█".repeat(full),
        "░".repeat(WIDTH - full)
    )
}

pub(crate) fn print_codes(
    vault: &Vault,
    query: &CodesQuery,
    unix_millis: u64,
    json: bool,
) -> Result<(), CliError> {
    let list = vault.code_list_at(query, unix_millis)?;
    if json {
        return print_json(&codes_json(&list));
    }
    if list.items.is_empty() {
        println!("{}", no_codes_message(query));
        return Ok(());
    }
    print_table(&CODE_HEADER, &code_rows(&list, false));
    for item in &list.items {
        if let Err(error) = &item.code {
            eprintln!("tessera: {}", safe(&error.to_string()));
        }
    }
    Ok(())
}

pub(crate) fn no_codes_message(query: &CodesQuery) -> &'static str {
    if *query == CodesQuery::default() {
        "no accounts (add one with `tessera add URI`)"
    } else {
        "no account matches"
    }
}

/// Redraws the code table every second until interrupted (Ctrl-C): the countdowns tick each
/// second, the list itself comes from core at each tick.
pub(crate) fn watch_codes(vault: &Vault, query: &CodesQuery) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    loop {
        // the system clock corrected by the server time (`tessera time`)
        let now = vault_now_millis(vault)?;
        let list = vault.code_list_at(query, now)?;
        let rows = code_rows(&list, true);
        // Home + clear screen, then the table; codes of every period count down together.
        let _ = write!(out, "\x1b[H\x1b[2J");
        let _ = out.flush();
        drop(out);
        if rows.is_empty() {
            println!("{}", no_codes_message(query));
        } else {
            print_table(&CODE_HEADER, &rows);
        }
        println!("\n(refreshing every second; Ctrl-C to quit)");
        out = std::io::stdout().lock();
        let _ = out.flush();
        // Wake at the next whole second, when every countdown ticks.
        std::thread::sleep(Duration::from_millis(1000 - now % 1000));
    }
}
