//! Vault commands: `init`, `add`, `list`, `codes`, `show`, `edit`, `next`, `rm`, `trash`,
//! `restore`, `backup export|import`, `passwd` and `demo`. Which vault, its key file, passwords
//! and unlocking are in `session`; tables, JSON and the code screen in `render`.
//!
//! Nothing here prints a secret, a note or a URI unless `show --secret` asks for it.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use tessera_core::app::CodesQuery;
use tessera_core::icon::Icon;
use tessera_core::vault::{AccountUpdate, KdfParams, ListFilter, VaultError};
use tessera_core::{Account, Algorithm, OtpKind, OtpParams, Secret, files, uri};
use zeroize::Zeroizing;

use crate::CliError;
use crate::render::{display_name, name_of, print_codes, print_summaries, short, watch_codes};
use crate::sensitive::Sensitive;
use crate::session::{
    GlobalArgs, init_vault, key_path, new_password, open_vault, vault_now_millis, vault_path,
};
use crate::term::{Safe, safe};

/// Which accounts `list` and `codes` show.
#[derive(Args, Debug, Clone, Default)]
pub struct SelectArgs {
    /// Only accounts whose issuer or label contains this text (any case).
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Only accounts in this group.
    #[arg(long, value_name = "NAME")]
    group: Option<String>,
    /// Only favorites.
    #[arg(long)]
    favorites: bool,
}

/// Commands on the encrypted vault.
#[derive(Subcommand, Debug)]
pub enum VaultCommand {
    /// Create a new vault and its device key file (no password needed).
    Init,
    /// Add an account from an otpauth URI (`-` reads it from stdin) or from fields.
    Add(AddArgs),
    /// List the accounts (no secrets), favorites first, then in your order.
    List {
        /// Print a JSON array, one object per account.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        select: SelectArgs,
    },
    /// Show the current code of every account, favorites first, then in your order.
    Codes {
        /// Print a JSON array, one object per account (fields in the README).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        select: SelectArgs,
        /// Compute the codes at this Unix time instead of now.
        #[arg(long, value_name = "UNIX", conflicts_with = "watch")]
        at: Option<u64>,
        /// Refresh every second with a countdown (on a terminal; prints once otherwise).
        #[arg(long, conflicts_with = "json")]
        watch: bool,
    },
    /// Show one account's details; its secret, URI and note only with --secret.
    Show {
        /// Account id (or a unique prefix of at least 4 characters).
        id: String,
        /// Also print the secret, the otpauth URI and the note.
        #[arg(long)]
        secret: bool,
    },
    /// Change an account's issuer, label, note, groups, favorite flag, icon or position.
    Edit(EditArgs),
    /// Write an account's picture (PNG, JPEG or SVG, as imported) to a file.
    Icon {
        /// Account id (or a unique prefix).
        id: String,
        /// The file to write (`show` tells the image's type).
        out: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Advance an HOTP account to its next code (the counter is saved before the code prints).
    Next {
        /// Account id (or a unique prefix).
        id: String,
    },
    /// Move an account to the trash (it can be restored); --purge deletes it for good.
    Rm {
        /// Account id (or a unique prefix).
        id: String,
        /// Delete for good instead of moving to the trash.
        #[arg(long)]
        purge: bool,
    },
    /// List the accounts in the trash.
    Trash {
        /// Print a JSON array, like `list --json`.
        #[arg(long)]
        json: bool,
    },
    /// Take an account out of the trash.
    Restore {
        /// Account id (or a unique prefix).
        id: String,
    },
    /// Encrypted backup files (Argon2id + AES-256-GCM, password-protected).
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Set or change the vault password (a second way to unlock besides the key file).
    Passwd {
        /// Remove the password instead.
        #[arg(long)]
        remove: bool,
    },
    /// Try Tessera: create the vault if needed, add a sample account if absent, show codes.
    Demo,
}

/// `tessera backup …`
#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// Write every account (not the trash) to an encrypted backup file.
    Export {
        /// The file to write.
        file: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Add the accounts of a backup file; duplicates are reported, not doubled (the same as
    /// `tessera import FILE`).
    Import {
        /// The backup file.
        file: PathBuf,
    },
    /// Automatic backups: after every change, an encrypted, verified backup in a directory.
    Auto {
        /// The directory (asks for the backup password once; never again until a restore).
        #[arg(long, conflicts_with = "off")]
        dir: Option<PathBuf>,
        /// How many backups to keep [default: 10]; the last verified one is never deleted.
        #[arg(long, conflicts_with = "off")]
        keep: Option<u32>,
        /// Switch automatic backups off (and forget the backup key).
        #[arg(long)]
        off: bool,
    },
    /// Restore the newest intact automatic backup in a directory (e.g. into a fresh vault).
    Restore {
        /// The directory of automatic backups.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Where automatic backups stand: last verified backup, changes not backed up, reminders.
    Status {
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// `tessera add …`
#[derive(Args, Debug)]
pub struct AddArgs {
    /// otpauth:// URI; `-` reads it from stdin (keeps it out of shell history).
    #[arg(conflicts_with_all = ["secret", "kind", "algorithm", "digits", "period", "counter"])]
    uri: Option<Sensitive>,
    /// Service name.
    #[arg(long)]
    issuer: Option<String>,
    /// Account name at the service.
    #[arg(long)]
    label: Option<String>,
    /// Base32 secret; `-` reads it from stdin.
    #[arg(long, required_unless_present = "uri")]
    secret: Option<Sensitive>,
    /// totp, hotp or steam.
    #[arg(long = "type", value_name = "TYPE", default_value = "totp")]
    kind: String,
    /// SHA1, SHA256 or SHA512.
    #[arg(long, default_value = "SHA1")]
    algorithm: String,
    /// Code length.
    #[arg(long)]
    digits: Option<u8>,
    /// Time step in seconds.
    #[arg(long)]
    period: Option<u32>,
    /// HOTP counter.
    #[arg(long)]
    counter: Option<u64>,
    /// A note (stored encrypted).
    #[arg(long)]
    note: Option<Sensitive>,
    /// Put the account in this group (repeatable).
    #[arg(long = "group", value_name = "NAME")]
    groups: Vec<String>,
    /// Pin the account to the top.
    #[arg(long)]
    favorite: bool,
}

/// `tessera edit …`
#[derive(Args, Debug)]
pub struct EditArgs {
    /// Account id (or a unique prefix).
    id: String,
    /// New issuer.
    #[arg(long)]
    issuer: Option<String>,
    /// New label.
    #[arg(long)]
    label: Option<String>,
    /// New note (empty text removes it).
    #[arg(long)]
    note: Option<Sensitive>,
    /// Replace the groups with these (repeatable).
    #[arg(long = "group", value_name = "NAME", conflicts_with = "no_groups")]
    groups: Vec<String>,
    /// Remove the account from every group.
    #[arg(long)]
    no_groups: bool,
    /// Pin to the top.
    #[arg(long, conflicts_with = "no_favorite")]
    favorite: bool,
    /// Unpin.
    #[arg(long)]
    no_favorite: bool,
    /// Icon reference (never fetched automatically).
    #[arg(long, conflicts_with = "no_icon")]
    icon: Option<String>,
    /// Remove the icon.
    #[arg(long)]
    no_icon: bool,
    /// Move to this 0-based position of your order.
    #[arg(long)]
    position: Option<u32>,
}

/// Runs a vault command.
pub fn run(cmd: VaultCommand, global: &GlobalArgs) -> Result<(), CliError> {
    match cmd {
        VaultCommand::Init => {
            let path = vault_path(global)?;
            init_vault(&path)?;
            println!("created vault {}", path.display());
            println!("device key    {}", key_path(&path).display());
            Ok(())
        }
        VaultCommand::Add(args) => add(global, args),
        VaultCommand::List { json, select } => {
            let vault = open_vault(global)?;
            let filter = ListFilter {
                text: select.filter,
                group: select.group,
                favorites_only: select.favorites,
            };
            print_summaries(&vault.list(&filter)?, json)
        }
        VaultCommand::Codes {
            json,
            select,
            at,
            watch,
        } => {
            let vault = open_vault(global)?;
            let query = CodesQuery {
                search: select.filter,
                group: select.group,
                favorites_only: select.favorites,
            };
            if watch && std::io::stdout().is_terminal() {
                watch_codes(&vault, &query)
            } else {
                let at = match at {
                    Some(seconds) => seconds.checked_mul(1000).ok_or_else(|| {
                        CliError::failed("--at is beyond any time a code can be made for")
                    })?,
                    None => vault_now_millis(&vault)?,
                };
                print_codes(&vault, &query, at, json)
            }
        }
        VaultCommand::Show { id, secret } => show(global, &id, secret),
        VaultCommand::Edit(args) => edit(global, args),
        VaultCommand::Icon { id, out, force } => write_icon(global, &id, &out, force),
        VaultCommand::Next { id } => {
            let vault = open_vault(global)?;
            let id = vault.resolve_id(&id)?;
            let code = vault.next_hotp(&id)?;
            println!("{code}");
            Ok(())
        }
        VaultCommand::Rm { id, purge } => {
            let vault = open_vault(global)?;
            let id = vault.resolve_id(&id)?;
            let name = display_name(&vault.summary(&id)?);
            // refused while a container forbids deleting its tokens on the device
            tessera_core::container::delete_account(&vault, &id).map_err(CliError::failed)?;
            if purge {
                vault.purge(&id)?;
                println!("deleted {name} for good");
            } else {
                println!("moved {name} to the trash (`tessera restore {id}` brings it back)");
            }
            Ok(())
        }
        VaultCommand::Trash { json } => print_summaries(&open_vault(global)?.trash()?, json),
        VaultCommand::Restore { id } => {
            let vault = open_vault(global)?;
            let id = vault.resolve_id(&id)?;
            vault.restore(&id)?;
            println!("restored {}", display_name(&vault.summary(&id)?));
            Ok(())
        }
        VaultCommand::Backup(BackupCommand::Export { file, force }) => {
            backup_export(global, &file, force)
        }
        VaultCommand::Backup(BackupCommand::Auto { dir, keep, off }) => {
            crate::autobackup_cmd::auto(global, dir, keep, off)
        }
        VaultCommand::Backup(BackupCommand::Restore { dir }) => {
            crate::autobackup_cmd::restore(global, &dir)
        }
        VaultCommand::Backup(BackupCommand::Status { json }) => {
            crate::autobackup_cmd::status(global, json)
        }
        VaultCommand::Backup(BackupCommand::Import { file }) => crate::transfer_cmd::import_file(
            &file,
            Some(tessera_core::transfer::Format::TesseraBackup),
            false,
            false,
            global,
        ),
        VaultCommand::Passwd { remove } => {
            let vault = open_vault(global)?;
            if remove {
                vault.remove_password()?;
                println!("password removed; the key file is now the only way to unlock");
                return Ok(());
            }
            let password = new_password(global, "New vault password: ")?;
            vault.set_password(&password, KdfParams::DEFAULT)?;
            println!("password set");
            Ok(())
        }
        VaultCommand::Demo => demo(global),
    }
}

fn read_stdin_line(what: &str) -> Result<Zeroizing<String>, CliError> {
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::failed(format!("cannot read the {what} from stdin: {e}")))?;
    Ok(Zeroizing::new(text.trim().to_owned()))
}

fn parse_kind(text: &str) -> Result<OtpKind, CliError> {
    OtpKind::from_name(&text.to_ascii_lowercase()).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown --type {text:?}: expected totp, hotp or steam"
        ))
    })
}

fn account_from_fields(args: &AddArgs) -> Result<Account, CliError> {
    let secret_text = match args.secret.as_deref() {
        Some("-") => read_stdin_line("secret")?,
        Some(text) => Zeroizing::new(text.to_owned()),
        None => return Err(CliError::Usage("give a URI or --secret".into())),
    };
    let secret = Secret::from_base32(&secret_text)?;
    let kind = parse_kind(&args.kind)?;
    let algorithm = Algorithm::parse(&args.algorithm).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown --algorithm {:?}: expected SHA1, SHA256 or SHA512",
            args.algorithm
        ))
    })?;
    let base = OtpParams::for_kind(kind);
    let params = OtpParams {
        algorithm,
        digits: args.digits.unwrap_or(base.digits),
        period: args.period.unwrap_or(base.period),
        counter: args.counter.unwrap_or(base.counter),
        ..base
    };
    params.validate()?;
    Ok(Account::new(
        args.issuer.clone().unwrap_or_default(),
        args.label.clone().unwrap_or_default(),
        secret,
        params,
    ))
}

fn add(global: &GlobalArgs, args: AddArgs) -> Result<(), CliError> {
    let mut account = match args.uri.as_deref() {
        Some("-") => uri::parse_otp(&read_stdin_line("URI")?)?,
        Some(text) => uri::parse_otp(text)?,
        None => account_from_fields(&args)?,
    };
    if let Some(issuer) = &args.issuer {
        account.issuer = issuer.clone();
    }
    if let Some(label) = &args.label {
        account.label = label.clone();
    }
    if let Some(note) = &args.note {
        account.meta.note = note.to_string();
    }
    if !args.groups.is_empty() {
        account.meta.groups = args.groups.clone();
    }
    account.meta.favorite |= args.favorite;
    let vault = open_vault(global)?;
    let id = vault.add(&account)?;
    println!("added {id}  {}", name_of(&account.issuer, &account.label));
    Ok(())
}

fn edit(global: &GlobalArgs, args: EditArgs) -> Result<(), CliError> {
    let vault = open_vault(global)?;
    let id = vault.resolve_id(&args.id)?;
    let change = AccountUpdate {
        issuer: args.issuer,
        label: args.label,
        note: args.note.map(|note| note.to_string()),
        icon: if args.no_icon {
            Some(None)
        } else {
            args.icon.map(Some)
        },
        groups: if args.no_groups {
            Some(Vec::new())
        } else if args.groups.is_empty() {
            None
        } else {
            Some(args.groups)
        },
        favorite: match (args.favorite, args.no_favorite) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        position: args.position,
    };
    if change == AccountUpdate::default() {
        return Err(CliError::Usage(
            "nothing to change: give --issuer, --label, --note, --group, --favorite, --icon or --position".into(),
        ));
    }
    vault.update(&id, &change)?;
    println!("updated {}", display_name(&vault.summary(&id)?));
    Ok(())
}

fn show(global: &GlobalArgs, id: &str, with_secret: bool) -> Result<(), CliError> {
    let vault = open_vault(global)?;
    let id = vault.resolve_id(id)?;
    let summary = vault.summary(&id)?;
    let account = vault.get(&id)?;
    let p = &account.params;
    println!("id         {}", Safe(id.as_str()));
    println!("issuer     {}", Safe(&account.issuer));
    println!("label      {}", Safe(&account.label));
    println!("type       {}", p.kind.as_str());
    println!("algorithm  {}", p.algorithm.as_str());
    println!("digits     {}", p.digits);
    if p.kind.is_time_based() {
        println!("period     {}s", p.period);
    } else {
        println!("counter    {}", p.counter);
    }
    println!("groups     {}", safe(&account.meta.groups.join(", ")));
    println!(
        "favorite   {}",
        if account.meta.favorite { "yes" } else { "no" }
    );
    if let Some(icon) = &account.meta.icon {
        println!("icon       {}", Safe(icon));
    }
    match &account.meta.picture {
        Some(Icon::Image(image)) => println!(
            "picture    {}, {} bytes (`tessera icon {} FILE` writes it)",
            image.media_type(),
            image.bytes().len(),
            Safe(short(&id))
        ),
        Some(Icon::Reference(r)) => println!(
            "picture    {} icon {}{}",
            Safe(&r.collection),
            Safe(&r.id),
            r.label.as_ref().map_or(String::new(), |l| format!(
                " (label {} on {})",
                Safe(&l.text),
                Safe(&l.color)
            ))
        ),
        None => {}
    }
    if let Some(at) = summary.trashed_at {
        println!("trashed at {at} (unix time)");
    }
    if with_secret {
        println!("secret     {}", &*account.secret.to_base32());
        println!("uri        {}", &*uri::format(&account));
        println!("note       {}", Safe(&account.meta.note));
        for (key, value) in &account.extra {
            println!("extra      {}={}", Safe(key), Safe(value));
        }
    } else {
        let keys: Vec<&str> = account.extra.iter().map(|(k, _)| k.as_str()).collect();
        if !keys.is_empty() {
            println!("extra      {} (values hidden)", safe(&keys.join(", ")));
        }
        println!(
            "secret     (hidden; `tessera show {} --secret` prints it, the URI and the note)",
            Safe(short(&id))
        );
    }
    Ok(())
}

/// `tessera icon ID OUT`: the account's image, as it was imported, to a file.
fn write_icon(global: &GlobalArgs, id: &str, out: &Path, force: bool) -> Result<(), CliError> {
    let vault = open_vault(global)?;
    let id = vault.resolve_id(id)?;
    let name = display_name(&vault.summary(&id)?);
    match vault.icon(&id)? {
        Some(Icon::Image(image)) => {
            write_private(out, image.bytes(), force)?;
            println!(
                "wrote the picture of {name} ({}, {} bytes) to {}",
                image.media_type(),
                image.bytes().len(),
                Safe(&out.display().to_string())
            );
            Ok(())
        }
        Some(Icon::Reference(r)) => Err(CliError::failed(format!(
            "{name} has no image, only a reference to icon {} of {}'s collection",
            Safe(&r.id),
            Safe(&r.collection)
        ))),
        None => Err(CliError::failed(format!("{name} has no picture"))),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, mode 0600.
fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<(), CliError> {
    if path.exists() && !force {
        return Err(CliError::failed(format!(
            "{} exists; use --force to replace it",
            path.display()
        )));
    }
    files::write_private(path, bytes, files::Existing::Replace)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))
}

fn backup_export(global: &GlobalArgs, file: &Path, force: bool) -> Result<(), CliError> {
    if file.exists() && !force {
        return Err(CliError::failed(format!(
            "{} exists; use --force to replace it",
            file.display()
        )));
    }
    let vault = open_vault(global)?;
    let count = vault.list(&ListFilter::default())?.len();
    let password = new_password(global, "Backup password: ")?;
    let bytes = vault.export_backup(&password)?;
    write_private(file, &bytes, force)?;
    println!("wrote {count} accounts to {}", file.display());
    Ok(())
}

/// The sample account of `tessera demo` (the example secret of Google's Key Uri Format page).
const DEMO_URI: &str =
    "otpauth://totp/Tessera%20Demo:demo@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Tessera%20Demo";

fn demo(global: &GlobalArgs) -> Result<(), CliError> {
    let path = vault_path(global)?;
    let vault = if path.exists() {
        open_vault(global)?
    } else {
        let vault = init_vault(&path)?;
        println!("created vault {}", path.display());
        vault
    };
    match vault.add(&uri::parse_otp(DEMO_URI)?) {
        Ok(id) => println!("added the sample account {}", short(&id)),
        Err(VaultError::Duplicate { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    let every = CodesQuery::default();
    if std::io::stdout().is_terminal() {
        watch_codes(&vault, &every)
    } else {
        print_codes(&vault, &every, vault_now_millis(&vault)?, false)
    }
}
