//! Which campaigns a run builds, per tenant: the tenant choice (`--tenant`,
//! `--all-tenants`), the output folder of each tenant, and campaign ids that would
//! collide in it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::manifest::Previous;
use super::{RunError, TenantChoice};
use crate::export::{Found, InputError, Inputs};
use crate::model::Tenant;
use crate::model::Workspace;

/// Groups the campaigns by tenant as the run asks, or stops when the choice is missing.
pub(super) fn choose<'a>(inputs: &'a Inputs, choice: &TenantChoice) -> Result<Vec<(Tenant, Vec<&'a Found>)>, RunError> {
    let mut groups: BTreeMap<String, (Tenant, Vec<&Found>)> = BTreeMap::new();
    for b in &inputs.bundles {
        let t = b.tenant();
        groups.entry(t.id.to_string()).or_insert_with(|| (t.clone(), Vec::new())).1.push(b);
    }
    let mut lower: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in groups.keys() {
        lower.entry(id.to_lowercase()).or_default().push(id.clone());
    }
    if let Some(clash) = lower.into_values().find(|ids| ids.len() > 1)
        && *choice == TenantChoice::All
    {
        return Err(RunError::TenantCase(clash));
    }
    match choice {
        TenantChoice::All => Ok(groups.into_values().collect()),
        TenantChoice::Only if groups.len() > 1 => {
            Err(RunError::TenantNotChosen(groups.into_values().map(|(t, _)| t).collect()))
        }
        TenantChoice::Only => Ok(groups.into_values().collect()),
        TenantChoice::One(id) => match groups.remove(id) {
            Some(group) => Ok(vec![group]),
            None if inputs.bundles.is_empty() => Ok(Vec::new()),
            None => Err(RunError::UnknownTenant {
                wanted: id.clone(),
                found: groups.keys().cloned().collect::<Vec<_>>().join(", "),
            }),
        },
    }
}

/// The folder a tenant's snapshot goes to: `OUT`, or `OUT/<tenant-id>` with `--all-tenants`.
pub(super) fn folder(out: &Path, tenant: &Tenant, choice: &TenantChoice) -> PathBuf {
    if *choice == TenantChoice::All { out.join(tenant.id.as_str()) } else { out.to_path_buf() }
}

/// Refuses a folder that holds another tenant's snapshot: one tenant's output never
/// mixes with another's.
pub fn check_folder(root: &Path, previous: &Previous, tenant: &Tenant) -> Result<(), RunError> {
    match previous.tenant.as_deref().filter(|t| *t != tenant.id.as_str()) {
        Some(found) => Err(RunError::OtherTenant {
            root: root.to_path_buf(),
            found: found.to_string(),
            wanted: tenant.id.to_string(),
        }),
        None => Ok(()),
    }
}

/// Campaigns sharing an id (compared case-insensitively, for case-insensitive file
/// systems) are all refused: neither may overwrite the other.
pub(super) fn refuse_duplicate_ids<'a>(
    bundles: Vec<&'a Found>,
    workspace: &Workspace,
) -> (Vec<&'a Found>, Vec<InputError>) {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for b in &bundles {
        *count.entry(b.id().to_lowercase()).or_default() += 1;
    }
    let (keep, dup): (Vec<&Found>, Vec<&Found>) = bundles.into_iter().partition(|b| count[&b.id().to_lowercase()] == 1);
    let errors = dup
        .iter()
        .map(|b| {
            let message = format!(
                "campaign id {:?} is used by {} campaigns of this tenant (ids are compared ignoring case); none of them is built",
                b.id(),
                count[&b.id().to_lowercase()]
            );
            // The error points at the id in the campaign's file, read again when it was shelved.
            match b.open(workspace) {
                Ok(bundle) => bundle.error("id", message),
                Err(error) => error,
            }
        })
        .collect();
    (keep, errors)
}
