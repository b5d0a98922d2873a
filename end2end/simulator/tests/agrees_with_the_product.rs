//! The simulator's tables are written from Microsoft's documentation and
//! the product's from the same documentation, separately. Where they
//! disagree one of them is wrong, and every test against the simulator
//! would otherwise pass with the product wrong in the same way.

use entra_simulator::microsoft::{self, Cloud};
use std::collections::BTreeSet;

fn as_set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn each_cloud_asks_for_the_graph_scope_the_simulator_expects() {
    for cloud in domain::Cloud::ALL {
        let theirs: Cloud = serde_json::from_value(serde_json::to_value(cloud).unwrap())
            .expect("the simulator names every cloud the product knows");
        assert_eq!(
            cloud.graph_default_scope(),
            theirs.graph_default_scope(),
            "{cloud:?}"
        );
    }
    assert_eq!(Cloud::ALL.len(), domain::Cloud::ALL.len());
}

#[test]
fn every_probe_the_product_makes_is_a_read_the_named_permissions_allow() {
    for probe in domain::probe::PROBES {
        let allowed = microsoft::permissions_for_read(probe.path)
            .unwrap_or_else(|| panic!("the simulator serves {}", probe.path));
        assert_eq!(
            as_set(probe.allowed_by),
            as_set(allowed),
            "the permissions that allow {}",
            probe.path
        );
    }
    let probed: BTreeSet<&str> = domain::probe::PROBES
        .iter()
        .map(|p| p.path.split('?').next().unwrap())
        .collect();
    for (read, _) in microsoft::reads() {
        assert!(probed.contains(read), "the product never probes {read}");
    }
}

#[test]
fn the_permissions_the_simulator_grants_by_name_exist_in_the_verified_reference() {
    let reference: serde_json::Value = serde_json::from_str(include_str!(
        "../../../app/domain/reference/graph-permissions.json"
    ))
    .unwrap();
    let known: BTreeSet<String> = reference["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    // Broader permissions that also allow a read but that no product asks for.
    let broader = as_set(&[
        "Group.Read.All",
        "DeviceManagementConfiguration.ReadWrite.All",
        "DeviceManagementRBAC.ReadWrite.All",
    ]);
    for (read, allowed_by) in microsoft::reads() {
        for name in allowed_by {
            assert!(
                known.contains(*name) || broader.contains(*name),
                "{name} (allows {read}) is not a Graph permission in the reference"
            );
        }
    }
}
