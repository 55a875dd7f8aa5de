//! The care and support plan and check-ins: picked values (ratings, dates, stages) that
//! merge whole, goals with their actions, and actions that outlive their goal.

use coplan_domain::plan::care_plan::CarePlan;
use coplan_domain::plan::check_ins::{check_ins, series};
use coplan_domain::plan::{AuthorId, Edit, ItemId, PlanError, SectionDoc, SectionKind, Stamp};

fn stamp(at_ms: u64) -> Stamp {
    Stamp {
        author: AuthorId::parse("person-1").unwrap(),
        at_ms,
    }
}

fn id(s: &str) -> ItemId {
    ItemId::parse(s).unwrap()
}

fn pick(doc: &SectionDoc, name: &'static str, value: &str) -> Result<Vec<u8>, PlanError> {
    doc.apply(
        &Edit::SetChoice {
            name,
            value: value.into(),
        },
        &stamp(5),
    )
}

fn add_goal(doc: &SectionDoc, goal: &str, area: &str, text: &str) {
    doc.apply(
        &Edit::AddItem {
            list: "goals",
            id: id(goal),
            parts: vec![("area", area.into()), ("text", text.into())],
        },
        &stamp(1),
    )
    .unwrap();
}

fn add_action(doc: &SectionDoc, action: &str, goal: &str, what: &str) {
    doc.apply(
        &Edit::AddItem {
            list: "actions",
            id: id(action),
            parts: vec![
                ("goal", goal.into()),
                ("what", what.into()),
                ("who", "Me and Priya".into()),
                ("by_when", "2027-01-15".into()),
            ],
        },
        &stamp(2),
    )
    .unwrap();
}

#[test]
fn life_areas_hold_a_rating_words_and_goals_with_actions() {
    let doc = SectionDoc::new(SectionKind::CarePlan, 3);
    pick(&doc, "rating_home", "3").unwrap();
    doc.apply(
        &Edit::SetField {
            field: "different_home",
            text: "A place without damp".into(),
        },
        &stamp(3),
    )
    .unwrap();
    add_goal(&doc, "g1", "home", "Move somewhere dry");
    add_action(&doc, "a1", "g1", "Call the housing office");
    add_action(&doc, "a2", "g1", "Ask the GP for a letter");
    doc.apply(
        &Edit::SetPart {
            list: "actions",
            id: id("a2"),
            part: "done",
            text: "yes".into(),
        },
        &stamp(4),
    )
    .unwrap();
    pick(&doc, "continuum", "more_help").unwrap();
    pick(&doc, "next_review", "2027-02-01").unwrap();

    let plan = CarePlan::from_view(&doc.view());
    let home = plan.area("home").unwrap();
    assert_eq!(home.rating, Some(3));
    assert_eq!(home.different, "A place without damp");
    assert_eq!(home.goals.len(), 1);
    let actions = &home.goals[0].actions;
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0].part("by_when"), "2027-01-15");
    assert_eq!(actions[0].part("done"), "");
    assert_eq!(actions[1].part("done"), "yes");
    assert!(!plan.area("money").unwrap().has_anything());
    assert_eq!(plan.continuum.as_deref(), Some("more_help"));
    assert_eq!(plan.next_review.as_deref(), Some("2027-02-01"));
    assert!(plan.orphan_actions.is_empty());
}

#[test]
fn values_outside_the_choices_are_refused_and_change_nothing() {
    let doc = SectionDoc::new(SectionKind::CarePlan, 3);
    pick(&doc, "rating_money", "5").unwrap();
    let before = doc.encode_state();
    assert_eq!(pick(&doc, "rating_money", "8"), Err(PlanError::NotAChoice));
    assert_eq!(
        pick(&doc, "continuum", "crisis"),
        Err(PlanError::NotAChoice)
    );
    assert_eq!(
        pick(&doc, "next_review", "2027-02-30"),
        Err(PlanError::BadDate)
    );
    assert!(matches!(
        pick(&doc, "rating_nonsense", "1"),
        Err(PlanError::UnknownName(_))
    ));
    add_goal(&doc, "g1", "money", "Sort out my bills");
    let err = doc.apply(
        &Edit::SetPart {
            list: "goals",
            id: id("g1"),
            part: "area",
            text: "moon".into(),
        },
        &stamp(9),
    );
    assert_eq!(err, Err(PlanError::NotAChoice));
    assert_eq!(doc.view().choice("rating_money"), "5");
    assert_eq!(doc.view().items("goals")[0].part("area"), "money");
    // Clearing a pick is allowed, and leaves it unpicked.
    pick(&doc, "rating_money", "").unwrap();
    assert_eq!(doc.view().choice("rating_money"), "");
    assert_ne!(doc.encode_state(), before);
}

#[test]
fn two_phones_picking_at_once_agree_on_one_whole_value() {
    let a = SectionDoc::new(SectionKind::CarePlan, 1);
    let b = SectionDoc::new(SectionKind::CarePlan, 2);
    let from_a = pick(&a, "rating_friends", "2").unwrap();
    let from_b = pick(&b, "rating_friends", "6").unwrap();
    a.apply_update(&from_b).unwrap();
    b.apply_update(&from_a).unwrap();
    let (va, vb) = (a.view(), b.view());
    assert_eq!(va.choice("rating_friends"), vb.choice("rating_friends"));
    assert!(["2", "6"].contains(&va.choice("rating_friends")));
}

#[test]
fn an_action_whose_goal_was_removed_elsewhere_is_still_shown() {
    let a = SectionDoc::new(SectionKind::CarePlan, 1);
    add_goal(&a, "g1", "days", "Find a course");
    let b = SectionDoc::new(SectionKind::CarePlan, 2);
    b.apply_update(&a.encode_state()).unwrap();
    let removed = a
        .apply(
            &Edit::RemoveItem {
                list: "goals",
                id: id("g1"),
            },
            &stamp(7),
        )
        .unwrap();
    add_action(&b, "a1", "g1", "Look at the college website");
    b.apply_update(&removed).unwrap();
    let plan = CarePlan::from_view(&b.view());
    assert!(plan.area("days").unwrap().goals.is_empty());
    assert_eq!(plan.orphan_actions.len(), 1);
    assert_eq!(
        plan.orphan_actions[0].part("what"),
        "Look at the college website"
    );
}

#[test]
fn check_ins_read_back_as_a_series_per_area_oldest_first() {
    let doc = SectionDoc::new(SectionKind::CheckIns, 4);
    for (n, (at, mood, money)) in [(3_000, "5", ""), (1_000, "2", "4"), (2_000, "3", "4")]
        .into_iter()
        .enumerate()
    {
        let mut parts = vec![("mental_health", mood.to_string())];
        if !money.is_empty() {
            parts.push(("money", money.to_string()));
        }
        doc.apply(
            &Edit::AddItem {
                list: "check_ins",
                id: id(&format!("c{n}")),
                parts,
            },
            &stamp(at),
        )
        .unwrap();
    }
    let all = check_ins(&doc.view());
    assert_eq!(
        all.iter().map(|c| c.at_ms).collect::<Vec<_>>(),
        vec![1_000, 2_000, 3_000]
    );
    assert_eq!(
        series(&all, "mental_health"),
        vec![(1_000, 2), (2_000, 3), (3_000, 5)]
    );
    assert_eq!(series(&all, "money"), vec![(1_000, 4), (2_000, 4)]);
    assert!(series(&all, "home").is_empty());
}

#[test]
fn the_overview_counts_in_neutral_words_and_leaves_out_hidden_steps() {
    use coplan_domain::plan::summary::{SummaryLine, summarise};
    let safety = SectionDoc::new(SectionKind::SafetyPlan, 5);
    assert!(summarise(SectionKind::SafetyPlan, &safety.view()).is_empty());
    for (n, list) in ["warning_signs", "warning_signs", "safer_place"]
        .into_iter()
        .enumerate()
    {
        safety
            .apply(
                &Edit::AddItem {
                    list,
                    id: id(&format!("i{n}")),
                    parts: vec![("text", "words".into())],
                },
                &stamp(1),
            )
            .unwrap();
    }
    safety
        .apply(
            &Edit::SetHidden {
                list: "safer_place",
                hidden: true,
            },
            &stamp(2),
        )
        .unwrap();
    assert_eq!(
        summarise(SectionKind::SafetyPlan, &safety.view()),
        vec![SummaryLine::Count {
            list: "warning_signs",
            count: 2
        }]
    );

    let care = SectionDoc::new(SectionKind::CarePlan, 6);
    pick(&care, "rating_home", "4").unwrap();
    add_goal(&care, "g1", "home", "Move");
    add_action(&care, "a1", "g1", "Call");
    assert_eq!(
        summarise(SectionKind::CarePlan, &care.view()),
        vec![
            SummaryLine::Rated { count: 1 },
            SummaryLine::Count {
                list: "goals",
                count: 1
            },
            SummaryLine::Steps { count: 1, done: 0 },
        ]
    );
}
