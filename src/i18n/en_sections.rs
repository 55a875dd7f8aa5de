//! English words for every field, list, part and choice of a plan, found by the section's
//! stored name and the name inside it. Written for someone who may be struggling: plain,
//! calm, and never telling anyone what they must write.

use super::Words;

/// (title, hint, one item, add button) for a name inside a section.
pub fn words(section: &str, name: &str) -> Words {
    let (title, hint, item, add) = match (section, name) {
        // Safety plan steps.
        ("safety_plan", "warning_signs") => (
            "Warning signs",
            "Thoughts, feelings or things that happen that tell me a hard time may be coming.",
            "Warning sign",
            "Add a warning sign",
        ),
        ("safety_plan", "on_my_own") => (
            "Things I can do on my own",
            "What helps me feel a little better, without needing anyone else.",
            "Something I can do",
            "Add something I can do",
        ),
        ("safety_plan", "distractions") => (
            "People and places that take my mind off things",
            "Somewhere to go, or someone to be with, without having to talk about how I feel.",
            "Person or place",
            "Add a person or place",
        ),
        ("safety_plan", "ask_for_help") => (
            "People I can ask for help",
            "People I trust to talk to when things get hard.",
            "Person",
            "Add a person",
        ),
        ("safety_plan", "professionals") => (
            "Professionals and services",
            "Workers and services I can contact. The lines open day and night are at the top of the safety plan.",
            "Service",
            "Add a service",
        ),
        ("safety_plan", "safer_place") => (
            "Making where I am safer",
            "Things I can do, or ask someone to do, to make my surroundings safer.",
            "Step",
            "Add a step",
        ),
        ("safety_plan", "reasons_for_living") => (
            "My reasons for living",
            "What matters to me and keeps me going.",
            "Reason",
            "Add a reason",
        ),

        // About me.
        ("about_me", "called") => (
            "What I like to be called",
            "The name you would like people to use. You can change it at any time.",
            "",
            "",
        ),
        ("about_me", "pronouns") => (
            "My pronouns",
            "For example she/her, he/him or they/them. Leave it empty if you prefer.",
            "",
            "",
        ),
        ("about_me", "languages") => (
            "Languages I speak",
            "And the one I prefer, if that helps.",
            "",
            "",
        ),
        ("about_me", "communication") => (
            "How I like people to talk with me",
            "For example: text before you call, speak slowly, or write things down for me.",
            "",
            "",
        ),
        ("about_me", "what_matters") => (
            "What matters to me",
            "People, things, beliefs or hopes: whatever is important to you.",
            "",
            "",
        ),
        ("about_me", "my_story") => (
            "My story, in my own words",
            "Only if you want to. Tell it once here, so you do not have to tell it again to each new worker.",
            "",
            "",
        ),
        ("about_me", "adjustments") => (
            "What makes services easier for me",
            "Access needs and changes that help, like a quiet room, more time, or an interpreter.",
            "",
            "",
        ),
        ("about_me", "strengths") => (
            "My strengths",
            "What people like about me, and what I am good at.",
            "Strength",
            "Add a strength",
        ),
        ("about_me", "what_helps") => (
            "What helps me",
            "Things that make a difference on a normal day.",
            "Something that helps",
            "Add something that helps",
        ),
        ("about_me", "what_does_not_help") => (
            "What does not help me",
            "Things people do, or say, that make it harder.",
            "Something that does not help",
            "Add something that does not help",
        ),
        ("about_me", "upsetting") => (
            "Things that upset me or bring back painful memories",
            "So people can avoid them, or tell you first.",
            "Thing",
            "Add something",
        ),
        ("about_me", "important_people") => (
            "People and pets important to me",
            "Who they are to you, if you want to say.",
            "Person or pet",
            "Add a person or pet",
        ),

        // If I am in crisis.
        ("crisis_wishes", "treatment_preferences") => (
            "Care I would like",
            "Medicines, places or kinds of care that have helped me before.",
            "",
            "",
        ),
        ("crisis_wishes", "treatment_to_avoid") => (
            "Care I want to avoid",
            "And why, if you want to say.",
            "",
            "",
        ),
        ("crisis_wishes", "what_helps") => (
            "What helps when I am in crisis",
            "What people can do, or say, that makes things a little easier.",
            "Something that helps",
            "Add something that helps",
        ),
        ("crisis_wishes", "what_does_not_help") => (
            "What does not help when I am in crisis",
            "What people should not do, or say.",
            "Something that does not help",
            "Add something that does not help",
        ),
        ("crisis_wishes", "contact") => (
            "Who to contact",
            "People who should be told, and how to reach them.",
            "Person to contact",
            "Add someone to contact",
        ),
        ("crisis_wishes", "do_not_contact") => (
            "Who not to contact",
            "People who should not be told.",
            "Person not to contact",
            "Add someone not to contact",
        ),
        ("crisis_wishes", "practical") => (
            "Practical things to sort out",
            "Children, pets, bills, keys, or letting work know.",
            "Thing to sort out",
            "Add something to sort out",
        ),

        // Care and support plan.
        ("care_plan", "goals") => (
            "My goals",
            "What I would like to happen, in my own words.",
            "Goal",
            "Add a goal",
        ),
        ("care_plan", "actions") => (
            "Steps towards this goal",
            "Who will do what, and by when.",
            "Step",
            "Add a step",
        ),
        ("care_plan", "support_network") => (
            "People who support me",
            "Family, friends, workers and services.",
            "Person",
            "Add a person",
        ),
        ("care_plan", "continuum") => (
            "The support I get now",
            "Services use these words for how much support someone gets. It is here so everyone knows, not to judge.",
            "",
            "",
        ),
        ("care_plan", "next_review") => ("When we will look at this plan again", "", "", ""),
        ("care_plan", "mental_health") => ("My mental health", "", "", ""),
        ("care_plan", "physical_health") => ("My physical health", "", "", ""),
        ("care_plan", "home") => ("Where I live", "", "", ""),
        ("care_plan", "money") => ("Money and benefits", "", "", ""),
        ("care_plan", "days") => ("Work, study and what I do with my days", "", "", ""),
        ("care_plan", "friends") => ("Friendships", "", "", ""),
        ("care_plan", "family") => ("Family and partner", "", "", ""),
        ("care_plan", "safety") => ("Feeling safe", "", "", ""),
        ("care_plan", "medication") => ("Medication", "", "", ""),
        ("care_plan", "practical_help") => ("Practical help", "", "", ""),
        ("care_plan", "meetings") => ("Meetings with professionals", "", "", ""),
        ("care_plan", "rating") => (
            "How happy am I with this?",
            "1 is not at all, 7 is very happy. You do not have to say.",
            "",
            "",
        ),
        ("care_plan", "different") => ("What I would like to be different", "", "", ""),

        // Check-ins.
        ("check_ins", "note") => ("Anything you want to add", "", "", ""),
        _ => ("", "", "", ""),
    };
    Words {
        title,
        hint,
        item,
        add,
    }
}

/// The label of one part of a list item.
pub fn part(section: &str, name: &str) -> &'static str {
    match (section, name) {
        (_, "name") => "Name",
        (_, "phone") => "Phone number",
        (_, "note") => "Note",
        ("care_plan", "what") => "What will happen",
        ("care_plan", "who") => "Who will do it",
        ("care_plan", "by_when") => "By when",
        ("care_plan", "done") => "Done",
        ("care_plan", "area") => "Part of my life",
        _ => "",
    }
}

/// The words for one value of a choice.
pub fn choice(name: &str, value: &str) -> &'static str {
    match (name, value) {
        ("continuum", "advice") => "Getting advice",
        ("continuum", "help") => "Getting help",
        ("continuum", "more_help") => "Getting more help",
        ("continuum", "risk_support") => "Getting support with risk",
        (_, "1") => "1, not at all",
        (_, "2") => "2",
        (_, "3") => "3",
        (_, "4") => "4",
        (_, "5") => "5",
        (_, "6") => "6",
        (_, "7") => "7, very happy",
        (_, "") => "Not saying",
        _ => "",
    }
}
