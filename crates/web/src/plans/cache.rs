//! What plan pages show, kept for a second.
//!
//! In the minute registration opens, every candidate loads the plan's page, most of them more
//! than once. What the page shows is the plan, its sites, its occupation and its eligibility
//! alternatives, which change only when staff edit them, and the seats left, which change with
//! every submission. Reading all of it from the database for every view would make the page the
//! opening's bottleneck, so both are kept here for [`TTL`]:
//! - the facts, for [`TTL`] whatever happens (a staff edit shows within it);
//! - the seats taken, for [`TTL`] or until this process takes or gives back a seat of the plan,
//!   whichever comes first, so that a candidate who has just submitted sees the seat gone.
//!   Another instance's submissions show within [`TTL`]. Submission itself never reads this
//!   cache: seats are taken in the database, with a conditional update.
//!
//! The application's checks read the same facts (the level's alternatives and tracks); the
//! registration window and the seats they are checked against at submission are the database's.
//!
//! The plan's registration state (未开始, 报名中, 已截止, 已满) is worked out per request from
//! the clock, so it changes at the exact second whatever is cached.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::catalogue::Level;
use domain::catalogue::eligibility::EligibilityRule;
use store::Db;
use store::plans::{Plan, PlanPage, Site};

use crate::error::AppError;

pub const TTL: Duration = Duration::from_secs(1);

/// Entries beyond this are dropped all at once (page numbers come from the query string, so the
/// keys of the list cache are the visitors' to choose).
const MAX_ENTRIES: usize = 4096;

/// A plan's page apart from its seats.
#[derive(Debug)]
pub struct PlanFacts {
    pub plan: Plan,
    pub sites: Vec<Site>,
    pub occupation_code: String,
    /// The eligibility alternatives of the plan's level, with their ids, in order.
    pub rules: Vec<(i64, EligibilityRule)>,
    /// The same alternatives, each as a plain Chinese sentence.
    pub eligibility: Vec<String>,
    pub tracks: Vec<String>,
    pub related_occupations: Vec<String>,
}

pub struct PlanCache {
    facts: Timed<i64, Arc<PlanFacts>>,
    lists: Timed<(Option<u8>, u64), Arc<PlanPage>>,
    seats: Timed<i64, u32>,
}

impl Default for PlanCache {
    fn default() -> Self {
        PlanCache {
            facts: Timed::new(TTL),
            lists: Timed::new(TTL),
            seats: Timed::new(TTL),
        }
    }
}

impl PlanCache {
    /// The plan with its seats taken now (within the cache's promise), and its page's facts.
    pub async fn plan(&self, db: &Db, id: i64) -> Result<Option<(Plan, Arc<PlanFacts>)>, AppError> {
        let facts = match self.facts.get(&id) {
            Some(facts) => facts,
            None => {
                let Some(facts) = load_facts(db, id).await? else {
                    return Ok(None);
                };
                let facts = Arc::new(facts);
                self.facts.put(id, facts.clone());
                self.seats.put(id, facts.plan.seats_taken);
                facts
            }
        };
        let mut plan = facts.plan.clone();
        plan.seats_taken = self.seats_taken(db, &[id]).await?[&id];
        Ok(Some((plan, facts)))
    }

    /// One page of the plan list, with every plan's seats as [`Self::plan`] gives them.
    pub async fn list(
        &self,
        db: &Db,
        level: Option<Level>,
        page: u64,
    ) -> Result<PlanPage, AppError> {
        let key = (level.map(|l| l.get()), page);
        let found = match self.lists.get(&key) {
            Some(found) => found,
            None => {
                let found = Arc::new(store::plans::list(db, level, page).await?);
                for p in &found.plans {
                    self.seats.put(p.id, p.seats_taken);
                }
                self.lists.put(key, found.clone());
                found
            }
        };
        let ids: Vec<i64> = found.plans.iter().map(|p| p.id).collect();
        let seats = self.seats_taken(db, &ids).await?;
        let mut page = (*found).clone();
        for p in &mut page.plans {
            p.seats_taken = seats[&p.id];
        }
        Ok(page)
    }

    /// This process has just taken or given back a seat of the plan.
    pub fn seats_changed(&self, plan_id: i64) {
        self.seats.forget(&plan_id);
    }

    /// Staff have just changed the plan (or created it): forget its facts, its seats and every
    /// list page, so that this process shows the change at once (others within [`TTL`]).
    pub fn plan_changed(&self, plan_id: i64) {
        self.facts.forget(&plan_id);
        self.seats.forget(&plan_id);
        self.lists.clear();
    }

    async fn seats_taken(&self, db: &Db, ids: &[i64]) -> Result<HashMap<i64, u32>, AppError> {
        let mut known = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for &id in ids {
            match self.seats.get(&id) {
                Some(taken) => {
                    known.insert(id, taken);
                }
                None => missing.push(id),
            }
        }
        if !missing.is_empty() {
            for (id, taken) in store::seats::taken(db.reader(), &missing).await? {
                self.seats.put(id, taken);
                known.insert(id, taken);
            }
        }
        Ok(known)
    }
}

async fn load_facts(db: &Db, id: i64) -> Result<Option<PlanFacts>, AppError> {
    let Some((plan, sites)) = store::plans::get(db, id).await? else {
        return Ok(None);
    };
    let occupation = store::catalogue::occupation(db, plan.occupation_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("plan {} has no occupation", plan.id)))?;
    let names = store::code_tables::education_names(db).await?;
    let rules = store::catalogue::rules_with_ids(db, plan.occupation_id, plan.level).await?;
    let eligibility = rules
        .iter()
        .map(|(_, rule)| rule.sentence(&|code: &str| names.get(code).cloned()))
        .collect();
    Ok(Some(PlanFacts {
        tracks: occupation
            .tracks_at(plan.level)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        related_occupations: occupation.related.clone(),
        occupation_code: occupation.code,
        rules,
        eligibility,
        plan,
        sites,
    }))
}

/// A map whose entries expire `ttl` after they were put.
struct Timed<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Timed<K, V> {
    fn new(ttl: Duration) -> Self {
        Timed {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), value));
    }

    fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn forget(&self, key: &K) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_expires_after_its_ttl_and_can_be_forgotten_before() {
        let timed = Timed::new(Duration::from_millis(30));
        timed.put(1, "a");
        assert_eq!(timed.get(&1), Some("a"));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(timed.get(&1), None);
        timed.put(1, "b");
        timed.forget(&1);
        assert_eq!(timed.get(&1), None);
    }

    #[test]
    fn the_map_never_grows_past_its_bound() {
        let timed = Timed::new(Duration::from_secs(60));
        for k in 0..(MAX_ENTRIES * 2 + 1) {
            timed.put(k, k);
        }
        assert!(timed.entries.lock().unwrap().len() <= MAX_ENTRIES);
        assert_eq!(timed.get(&(MAX_ENTRIES * 2)), Some(MAX_ENTRIES * 2));
    }
}
