use kassa::domain::customer::LookupKind;
use kassa::service::{IpSelection, ServiceError, SwitchInput};
use kassa::store::network::MASK;

use super::helpers::{audit_count, customer, house};
use crate::both_backends;
use crate::common::Env;

fn conflict_naming(r: &Result<impl std::fmt::Debug, ServiceError>, needle: &str) {
    match r {
        Err(ServiceError::Conflict(m)) => {
            assert!(m.to_string().contains(needle), "'{m}' should name '{needle}'")
        }
        other => panic!("expected a conflict naming '{needle}', got {other:?}"),
    }
}

fn invalid(r: &Result<impl std::fmt::Debug, ServiceError>, field: &str) {
    match r {
        Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(*f, field),
        other => panic!("expected invalid {field}, got {other:?}"),
    }
}

fn sw(name: &str, ip: &str, ports: &str) -> SwitchInput {
    SwitchInput {
        name: Some(name.into()),
        ip: Some(ip.into()),
        ports: Some(ports.into()),
        model: Some("DES-3200-28".into()),
        snmp_community: Some("public-ro".into()),
        ssh_password: Some("ssh-secret".into()),
        telnet_password: Some("tel-secret".into()),
        ..Default::default()
    }
}

async fn switches_and_their_secrets(env: &Env) {
    let h = house(env, "ул. Коммутаторная", "1", "").await;
    let input = SwitchInput {
        house_id: Some(h.to_string()),
        serves_house: Some("yes".into()),
        ..sw("sw-1", "10.1.0.1", "24")
    };
    let s = env.svc.add_switch(&env.noc, &input).await.unwrap();
    assert_eq!((s.ports, s.serves_house, s.house_id), (24, true, Some(h)));
    // the same name or IP twice; a second switch serving the same house
    conflict_naming(&env.svc.add_switch(&env.admin, &sw("sw-1", "10.1.0.2", "8")).await, "name");
    conflict_naming(&env.svc.add_switch(&env.admin, &sw("sw-2", "10.1.0.1", "8")).await, "IP");
    let second = SwitchInput {
        house_id: Some(h.to_string()),
        serves_house: Some("1".into()),
        ..sw("sw-2", "10.1.0.2", "8")
    };
    conflict_naming(&env.svc.add_switch(&env.admin, &second).await, "sw-1");
    let before = audit_count(env).await;
    for (bad, field) in [
        (sw("", "10.1.0.9", "8"), "name"),
        (sw("sw-9", "10.1.0.256", "8"), "ip"),
        (sw("sw-9", "10.1.0.9", "0"), "ports"),
        (sw("sw-9", "10.1.0.9", "1025"), "ports"),
        (sw("sw-9", "10.1.0.9", "два"), "ports"),
        (SwitchInput { house_id: Some("999".into()), ..sw("sw-9", "10.1.0.9", "8") }, "house_id"),
        (SwitchInput { serves_house: Some("yes".into()), ..sw("sw-9", "10.1.0.9", "8") }, "serves_house"),
        (SwitchInput { ssh_password: Some("x".repeat(41)), ..sw("sw-9", "10.1.0.9", "8") }, "ssh_password"),
    ] {
        invalid(&env.svc.add_switch(&env.admin, &bad).await, field);
    }
    assert_eq!(audit_count(env).await, before, "refused switches write nothing");

    // credentials: masked for everyone unless asked for, and only noc and admin may ask
    for a in [&env.viewer, &env.cashier, &env.noc] {
        let l = env.svc.list_switches(a, None, None, false).await.unwrap();
        assert_eq!(l[0].switch.ssh_password, MASK);
        assert_eq!(l[0].switch.telnet_password, MASK);
        assert_eq!(l[0].switch.snmp_community, MASK);
        assert_eq!(l[0].house.as_deref(), Some("ул. Коммутаторная 1"));
    }
    assert!(matches!(
        env.svc.list_switches(&env.cashier, None, None, true).await,
        Err(ServiceError::Denied { .. })
    ));
    let open = env.svc.list_switches(&env.noc, None, Some(h), true).await.unwrap();
    assert_eq!(open[0].switch.ssh_password, "ssh-secret");
    assert!(!format!("{:?}", open[0]).contains("ssh-secret"), "Debug masks the credentials");
    let log = env.svc.audit_log(&env.admin, Some("switch"), Some(s.id), 10).await.unwrap();
    let text = serde_json::to_string(&log).unwrap();
    assert!(
        !text.contains("ssh-secret") && !text.contains("public-ro"),
        "the audit log never holds them: {text}"
    );

    // edit: the house flag moves only when the other gives it up; shrinking below a used port is refused
    let s2 = env.svc.add_switch(&env.admin, &sw("sw-2", "10.1.0.2", "8")).await.unwrap();
    let c = customer(env, "Портов Пётр", &[("agreement_number", "500")]).await;
    env.svc.bind_port(&env.noc, c.id, s2.id, "7", false).await.unwrap();
    conflict_naming(
        &env.svc
            .edit_switch(&env.noc, s2.id, &SwitchInput { ports: Some("6".into()), ..Default::default() })
            .await,
        "port 7",
    );
    let edited = env
        .svc
        .edit_switch(&env.noc, s2.id, &SwitchInput { name: Some("sw-2b".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((edited.name.as_str(), edited.ssh_password.as_str()), ("sw-2b", "ssh-secret"));
    // a new password: the audit row says it changed, and still never holds it (issue 14 item 12)
    env.svc
        .edit_switch(
            &env.noc,
            s2.id,
            &SwitchInput { ssh_password: Some("новый-секрет".into()), ..Default::default() },
        )
        .await
        .unwrap();
    let last = env.svc.audit_log(&env.admin, Some("switch"), Some(s2.id), 1).await.unwrap().remove(0);
    let (b, a) = (last.before.unwrap_or_default(), last.after.unwrap_or_default());
    assert!(a.contains("(changed)") && !b.contains("(changed)"), "{b} -> {a}");
    assert!(!a.contains("новый-секрет") && !b.contains("ssh-secret"), "{b} -> {a}");
    assert_eq!(env.svc.find_switch(&env.viewer, "sw-2b").await.unwrap().switch.id, s2.id);
    assert_eq!(env.svc.find_switch(&env.viewer, "10.1.0.2").await.unwrap().switch.id, s2.id);
    assert_eq!(env.svc.find_switch(&env.viewer, &format!("#{}", s2.id)).await.unwrap().switch.id, s2.id);
    assert!(matches!(env.svc.find_switch(&env.viewer, "нет-такого").await, Err(ServiceError::NotFound(..))));

    // delete: refused with the count while a customer is on a port; the house keeps its switches
    conflict_naming(&env.svc.delete_switch(&env.noc, s2.id).await, "1 customer(s)");
    conflict_naming(&env.svc.delete_house(&env.admin, h).await, "switch");
    env.svc.unbind_port(&env.noc, c.id).await.unwrap();
    env.svc.delete_switch(&env.noc, s2.id).await.unwrap();
    assert_eq!(env.svc.list_switches(&env.noc, None, None, false).await.unwrap().len(), 1);
    // houses by address as typed, or by #id
    assert_eq!(env.svc.find_house(&env.viewer, "Коммутаторная 1").await.unwrap().house.id, h);
    assert_eq!(env.svc.find_house(&env.viewer, "ул. КОММУТАТОРНАЯ 1").await.unwrap().switches, 1);
    assert_eq!(env.svc.find_house(&env.viewer, &format!("#{h}")).await.unwrap().house.id, h);
    assert!(matches!(
        env.svc.find_house(&env.viewer, "Коммутаторная 2").await,
        Err(ServiceError::NotFound(..))
    ));
    invalid(&env.svc.find_house(&env.viewer, "Коммутаторная").await, "house");
    // a switch's address cannot be a customer's, nor the other way round
    env.svc.add_ip(&env.noc, c.id, "10.1.0.50", "", false).await.unwrap();
    conflict_naming(&env.svc.add_switch(&env.noc, &sw("sw-3", "10.1.0.50", "8")).await, "#");
    conflict_naming(&env.svc.add_ip(&env.noc, c.id, "10.1.0.1", "", false).await, "sw-1");
    conflict_naming(&env.svc.add_subnet(&env.noc, c.id, "10.1.0.0", "29").await, "sw-1");
    conflict_naming(&env.svc.add_subnet(&env.noc, c.id, "10.1.0.48", "28").await, "10.1.0.50");
}
both_backends!(switches_and_their_secrets, switches_and_their_secrets);

async fn addresses_subnets_and_macs(env: &Env) {
    let a = customer(env, "Адресов Андрей", &[("agreement_number", "601")]).await;
    let b = customer(env, "Бэ Борис", &[("agreement_number", "602")]).await;
    // every MAC spelling is stored in one form
    for (ip, mac) in [
        ("10.0.3.1", "00:11:22:33:44:AA"),
        ("10.0.3.2", "00-11-22-33-44-ab"),
        ("10.0.3.3", "0011.2233.44ac"),
        ("10.0.3.4", "0011223344AD"),
    ] {
        let r = env.svc.add_ip(&env.noc, a.id, ip, mac, false).await.unwrap();
        assert!(r.mac.as_deref().unwrap().starts_with("00:11:22:33:44:a"), "{r:?}");
    }
    // the same address twice, for the same or another customer, names the holder
    conflict_naming(&env.svc.add_ip(&env.noc, b.id, "10.0.3.1", "", false).await, "Адресов");
    conflict_naming(&env.svc.add_ip(&env.noc, a.id, " 10.0.3.1 ", "", false).await, "#");
    // IPv6, stored normalised
    let v6 = env.svc.add_ip(&env.noc, b.id, "2001:DB8:0:0::10", "", false).await.unwrap();
    assert_eq!(v6.ip.as_deref(), Some("2001:db8::10"));
    conflict_naming(&env.svc.add_ip(&env.noc, a.id, "2001:db8::10", "", false).await, "Бэ");
    // a subnet overlapping another customer's address is refused, naming them
    conflict_naming(&env.svc.add_subnet(&env.noc, b.id, "10.0.3.0", "29").await, "Адресов");
    let net = env.svc.add_subnet(&env.noc, b.id, "10.0.3.8", "29").await.unwrap();
    assert_eq!(net.address(), "10.0.3.8/29");
    conflict_naming(&env.svc.add_ip(&env.noc, a.id, "10.0.3.15", "", false).await, "10.0.3.8/29");
    conflict_naming(&env.svc.add_subnet(&env.noc, a.id, "10.0.3.0", "28").await, "#");
    env.svc.add_subnet(&env.noc, a.id, "10.0.3.16", "30").await.unwrap();
    env.svc.add_subnet(&env.noc, b.id, "2001:db8:1::", "64").await.unwrap();
    conflict_naming(&env.svc.add_ip(&env.noc, a.id, "2001:db8:1::ffff", "", false).await, "2001:db8:1::/64");
    // look-ups and search find the holder of any address of a subnet
    assert_eq!(
        env.svc.find_customer_ids(&env.viewer, LookupKind::Ip, "10.0.3.12", false).await.unwrap(),
        vec![b.id]
    );
    assert_eq!(
        env.svc.find_customer_ids(&env.viewer, LookupKind::Ip, "10.0.3.2", false).await.unwrap(),
        vec![a.id]
    );
    assert!(
        env.svc.find_customer_ids(&env.viewer, LookupKind::Ip, "10.0.3.20", false).await.unwrap().is_empty()
    );
    assert_eq!(
        env.svc.find_customer_ids(&env.viewer, LookupKind::Mac, "0011.2233.44ab", false).await.unwrap(),
        vec![a.id]
    );
    let found = env.svc.search_customers(&env.viewer, "2001:db8:1::5", false, 10).await.unwrap();
    assert_eq!(found.customers.iter().map(|c| c.id).collect::<Vec<_>>(), vec![b.id]);

    let before = audit_count(env).await;
    for (ip, prefix, field) in [
        ("10.0.3.33", "29", "prefix"),
        ("10.0.3.32", "8", "prefix"),
        ("10.0.3.32", "33", "prefix"),
        ("10.0.3.32", "/x", "prefix"),
        ("10.0.3", "29", "ip"),
    ] {
        invalid(&env.svc.add_subnet(&env.noc, a.id, ip, prefix).await, field);
    }
    invalid(&env.svc.add_ip(&env.noc, a.id, "10.0.3.300", "", false).await, "ip");
    invalid(&env.svc.add_ip(&env.noc, a.id, "10.0.3.40", "00:11:22:33:44", false).await, "mac");
    invalid(&env.svc.add_ip(&env.noc, a.id, "", "", false).await, "ip");
    assert!(matches!(
        env.svc.add_ip(&env.noc, 999_999, "10.0.9.9", "", false).await,
        Err(ServiceError::NotFound(..))
    ));
    assert_eq!(audit_count(env).await, before, "refused requests write nothing");

    // MACs: set, history with dates, a MAC-only record, deleting -1 / one / all
    env.svc.set_mac(&env.noc, "10.0.3.1", "00:11:22:33:44:ff", false).await.unwrap();
    env.svc.set_mac(&env.noc, "10.0.3.1", "", false).await.unwrap();
    conflict_naming(&env.svc.set_mac(&env.noc, "10.0.3.1", "", false).await, "already");
    assert!(matches!(
        env.svc.set_mac(&env.noc, "10.0.99.1", "001122334455", false).await,
        Err(ServiceError::NotFound(..))
    ));
    let h = env.svc.mac_history(&env.viewer, a.id).await.unwrap();
    assert_eq!(h.len(), 6, "4 MACs given with addresses, then a change and a clearing: {h:?}");
    assert_eq!((h[0].mac_before.as_deref(), h[0].mac_after.as_deref()), (Some("00:11:22:33:44:ff"), None));
    assert_eq!(
        (h[1].mac_before.as_deref(), h[1].mac_after.as_deref()),
        (Some("00:11:22:33:44:aa"), Some("00:11:22:33:44:ff"))
    );
    assert_eq!(h[1].operator_login.as_deref(), Some("noc"));
    env.svc.add_ip(&env.noc, a.id, "", "66:55:44:33:22:11", false).await.unwrap();
    let gone = env.svc.delete_ip(&env.noc, a.id, &IpSelection::parse("-1")).await.unwrap();
    assert_eq!((gone.len(), gone[0].ip.as_ref()), (1, None));
    assert!(matches!(
        env.svc.delete_ip(&env.noc, a.id, &IpSelection::MacOnly).await,
        Err(ServiceError::NotFound(..))
    ));
    conflict_naming(&env.svc.delete_ip(&env.noc, b.id, &IpSelection::parse("10.0.3.8")).await, "subnet");
    assert!(matches!(
        env.svc.delete_ip(&env.noc, b.id, &IpSelection::parse("10.0.3.1")).await,
        Err(ServiceError::NotFound(..))
    ));
    env.svc.delete_ip(&env.noc, a.id, &IpSelection::parse("10.0.3.4")).await.unwrap();
    let last = env.svc.last_ip(&env.viewer).await.unwrap().unwrap();
    assert_eq!((last.ip.as_str(), last.hex.as_str()), ("10.0.3.19", "0a000313"));
    env.svc.delete_subnet(&env.noc, b.id, "10.0.3.8").await.unwrap();
    assert!(matches!(
        env.svc.delete_subnet(&env.noc, b.id, "10.0.3.8").await,
        Err(ServiceError::NotFound(..))
    ));
    // the freed block can be given again
    env.svc.add_ip(&env.noc, a.id, "10.0.3.12", "", false).await.unwrap();
    let all = env.svc.delete_ip(&env.noc, a.id, &IpSelection::parse("ALL")).await.unwrap();
    assert_eq!(all.len(), 5, "{all:?}");
    assert!(env.svc.customer_network(&env.viewer, a.id).await.unwrap().records.is_empty());
    assert!(env.svc.last_ip(&env.viewer).await.unwrap().is_none());
    // every change is in the audit log with before and after
    let log = env.svc.audit_log(&env.admin, Some("customer"), Some(a.id), 100).await.unwrap();
    let set_mac = log.iter().find(|e| e.action == "ip.set_mac").expect("set_mac audited");
    assert!(set_mac.before.is_some() && set_mac.after.is_some(), "{set_mac:?}");
    assert!(log.iter().any(|e| e.action == "ip.delete" && e.before.is_some()));
}
both_backends!(addresses_subnets_and_macs, addresses_subnets_and_macs);

async fn ports_and_the_dhcp_export(env: &Env) {
    let h = house(env, "ул. Портовая", "3", "").await;
    let h2 = house(env, "ул. Портовая", "5", "").await;
    let s1 = env
        .svc
        .add_switch(&env.noc, &SwitchInput { house_id: Some(h.to_string()), ..sw("sw-a", "10.2.0.1", "8") })
        .await
        .unwrap();
    let input = SwitchInput {
        house_id: Some(h2.to_string()),
        serves_house: Some("yes".into()),
        ..sw("sw-b, корпус 2", "10.2.0.2", "16")
    };
    let s2 = env.svc.add_switch(&env.noc, &input).await.unwrap();
    let a = customer(env, "Первый", &[("agreement_number", "701"), ("house_id", &h.to_string())]).await;
    let b = customer(env, "Второй", &[("agreement_number", "702"), ("house_id", &h.to_string())]).await;
    let c = customer(env, "Третий", &[("agreement_number", "703"), ("house_id", &h2.to_string())]).await;
    let d = customer(env, "Бывший", &[("agreement_number", "704")]).await;
    env.svc.bind_port(&env.noc, a.id, s1.id, "3", false).await.unwrap();
    // a taken port, a port beyond the count, not a number
    match env.svc.bind_port(&env.noc, b.id, s1.id, "3", false).await {
        Err(e @ ServiceError::PortTaken { .. }) => assert!(e.to_string().contains("Первый"), "{e}"),
        other => panic!("expected the port to be taken, got {other:?}"),
    }
    invalid(&env.svc.bind_port(&env.noc, b.id, s1.id, "9", false).await, "port");
    invalid(&env.svc.bind_port(&env.noc, b.id, s1.id, "0", false).await, "port");
    invalid(&env.svc.bind_port(&env.noc, b.id, s1.id, "три", false).await, "port");
    conflict_naming(&env.svc.bind_port(&env.noc, a.id, s1.id, "3", false).await, "already");
    // an explicit move takes the port; the one moved off has no port now
    let moved = env.svc.bind_port(&env.noc, b.id, s1.id, "3", true).await.unwrap();
    assert_eq!((moved.port, moved.switch_name.as_str()), (3, "sw-a"));
    assert!(env.svc.customer_network(&env.viewer, a.id).await.unwrap().binding.is_none());
    env.svc.bind_port(&env.noc, a.id, s1.id, "1", false).await.unwrap();
    // rebinding moves the customer: one port per customer
    env.svc.bind_port(&env.noc, a.id, s1.id, "2", false).await.unwrap();
    let map = env.svc.port_map(&env.viewer, s1.id).await.unwrap();
    assert_eq!(
        map.users.iter().map(|u| (u.port, u.customer_id)).collect::<Vec<_>>(),
        vec![(2, a.id), (3, b.id)]
    );
    assert_eq!(map.switch.ports_used, 2);
    // the customer of the served house reaches the network through its switch
    let n = env.svc.customer_network(&env.viewer, c.id).await.unwrap();
    assert_eq!(n.house_switch, Some(("sw-b, корпус 2".to_string(), "10.2.0.2".to_string())));

    env.svc.add_ip(&env.noc, a.id, "10.0.5.1", "aa:bb:cc:00:00:01", false).await.unwrap();
    env.svc.add_ip(&env.noc, b.id, "10.0.5.2", "", false).await.unwrap();
    env.svc.add_ip(&env.noc, c.id, "10.0.5.3", "AABB.CC00.0003", false).await.unwrap();
    env.svc.add_subnet(&env.noc, c.id, "10.0.6.0", "30").await.unwrap();
    env.svc.add_ip(&env.noc, d.id, "10.0.5.4", "aa:bb:cc:00:00:04", false).await.unwrap();
    env.svc.add_ip(&env.noc, b.id, "2001:db8::2", "aa:bb:cc:00:00:22", false).await.unwrap();
    env.svc.set_former(&env.admin, d.id, true).await.unwrap();
    let rows = env.svc.dhcp_export_page(&env.viewer, "", 100).await.unwrap();
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}{} {} {} {} {} {}",
                r.ip,
                r.prefix.map(|p| format!("/{p}")).unwrap_or_default(),
                r.mac.as_deref().unwrap_or("-"),
                r.switch_ip.as_deref().unwrap_or("-"),
                r.switch_name.as_deref().unwrap_or("-"),
                r.port.map(|p| p.to_string()).unwrap_or("-".into()),
                r.agreement.as_deref().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "10.0.5.1 aa:bb:cc:00:00:01 10.2.0.1 sw-a 2 701",
            "10.0.5.2 - 10.2.0.1 sw-a 3 702",
            "10.0.5.3 aa:bb:cc:00:00:03 10.2.0.2 sw-b, корпус 2 - 703",
            "10.0.6.0/30 - 10.2.0.2 sw-b, корпус 2 - 703",
            "2001:db8::2 aa:bb:cc:00:00:22 10.2.0.1 sw-a 3 702",
        ],
        "former customers are left out; addresses in order, IPv4 first"
    );
    // paging: the key of the last row continues the export
    let first = env.svc.dhcp_export_page(&env.viewer, "", 2).await.unwrap();
    let rest = env.svc.dhcp_export_page(&env.viewer, &first[1].key, 100).await.unwrap();
    assert_eq!(first.len() + rest.len(), rows.len());
    assert_eq!(rest[0].ip, "10.0.5.3");
    // a deleted customer leaves their port and addresses
    let e = customer(env, "Ошибочный", &[]).await;
    env.svc.bind_port(&env.noc, e.id, s1.id, "8", false).await.unwrap();
    env.svc.add_ip(&env.noc, e.id, "10.0.5.8", "", false).await.unwrap();
    env.svc.delete_customer(&env.admin, e.id).await.unwrap();
    env.svc.bind_port(&env.noc, b.id, s1.id, "8", false).await.unwrap();
    env.svc.add_ip(&env.noc, a.id, "10.0.5.8", "", false).await.unwrap();
    let _ = s2;
}
both_backends!(ports_and_the_dhcp_export, ports_and_the_dhcp_export);

/// Issue 14 item 23: a MAC another customer has is refused unless forced, by either way of
/// giving one; the refusal names the holder.
async fn a_mac_of_another_customer_needs_force(env: &Env) {
    let a = super::helpers::customer(env, "Первый Мак", &[]).await;
    let b = super::helpers::customer(env, "Второй Мак", &[]).await;
    env.svc.add_ip(&env.noc, a.id, "10.77.0.1", "00:11:22:33:44:aa", false).await.unwrap();
    let r = env.svc.add_ip(&env.noc, b.id, "10.77.0.2", "00-11-22-33-44-AA", false).await;
    assert!(matches!(&r, Err(ServiceError::MacTaken { holder_id, .. }) if *holder_id == a.id), "{r:?}");
    env.svc.add_ip(&env.noc, b.id, "10.77.0.2", "", false).await.unwrap();
    let r = env.svc.set_mac(&env.noc, "10.77.0.2", "0011.2233.44aa", false).await;
    assert!(matches!(&r, Err(ServiceError::MacTaken { .. })), "{r:?}");
    // the customer's own MAC on a second address is fine; forcing gives it to both
    env.svc.add_ip(&env.noc, a.id, "10.77.0.3", "00:11:22:33:44:aa", false).await.unwrap();
    env.svc.set_mac(&env.noc, "10.77.0.2", "00:11:22:33:44:aa", true).await.unwrap();
}
both_backends!(a_mac_of_another_customer_needs_force, a_mac_of_another_customer_needs_force);
