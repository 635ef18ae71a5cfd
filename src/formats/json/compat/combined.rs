//! Combined schemas: `allOf`, `anyOf` and `oneOf` compared by a maximum matching of their
//! branches, and `not`.

use super::scalars::connect_bytes;
use super::*;

impl Differ {
    pub(super) fn compare_combined<'a>(
        &mut self,
        ctx: &mut Ctx,
        o_criterion: Criterion,
        o_subs: Vec<View<'a>>,
        u_criterion: Criterion,
        u_subs: Vec<View<'a>>,
    ) {
        if o_criterion != u_criterion {
            // A single branch means the same under any criterion, so Confluent lets it change
            // to anything that keeps one branch, to `oneOf`, and an `allOf` become one branch.
            let (o_single, u_single) = (o_subs.len() == 1, u_subs.len() == 1);
            let extended = u_criterion == Criterion::Any
                || (o_single && (u_single || u_criterion == Criterion::One))
                || (u_single && o_criterion == Criterion::All);
            if !extended {
                return ctx.add(COMBINED_TYPE_CHANGED);
            }
            ctx.add(COMBINED_TYPE_EXTENDED);
        }
        let (o_subs, u_subs) = (self.distinct(o_subs), self.distinct(u_subs));
        // More branches are named after the update's criterion, fewer after the original's.
        match o_subs.len().cmp(&u_subs.len()) {
            std::cmp::Ordering::Less => ctx.add(if u_criterion == Criterion::All {
                PRODUCT_TYPE_EXTENDED
            } else {
                SUM_TYPE_EXTENDED
            }),
            std::cmp::Ordering::Greater => ctx.add(if o_criterion == Criterion::All {
                PRODUCT_TYPE_NARROWED
            } else {
                SUM_TYPE_NARROWED
            }),
            std::cmp::Ordering::Equal => {}
        }
        // Which updated sub-schema each original one is (compatibly) replaced by: a maximum
        // matching, whose edges are compared only when the search asks for them, likeliest
        // first (an identical branch, then the one at the same place), so a long list that
        // barely changed costs about one comparison per branch rather than one per pair.
        let o_prints: Vec<u64> = o_subs.iter().map(|v| self.fingerprint(*v)).collect();
        let mut by_print: HashMap<u64, Vec<usize>> = HashMap::new();
        for (j, u_sub) in u_subs.iter().enumerate() {
            let print = self.fingerprint(*u_sub);
            by_print.entry(print).or_default().push(j);
        }
        let mut matching = Matching {
            o_subs: &o_subs,
            u_subs: &u_subs,
            keyword: o_criterion.keyword(),
            o_prints,
            by_print,
            edges: HashMap::new(),
            owner: vec![None; u_subs.len()],
        };
        let mut seen = vec![false; u_subs.len()];
        for i in 0..o_subs.len() {
            if limits::exhausted() {
                return;
            }
            seen.iter_mut().for_each(|s| *s = false);
            self.augment(ctx, &mut matching, i, &mut seen);
        }
        let mut matched = 0;
        for (j, owner) in matching.owner.iter().enumerate() {
            if let Some(i) = owner {
                matched += 1;
                if let Some(Some(probe)) = matching.edges.remove(&(*i, j)) {
                    ctx.keep(probe);
                }
            }
        }
        if matched < o_subs.len().min(u_subs.len()) {
            ctx.add(COMBINED_TYPE_SUBSCHEMAS_CHANGED);
        }
    }

    /// Kuhn's augmenting path from original branch `i`.
    pub(super) fn augment(
        &mut self,
        ctx: &Ctx,
        m: &mut Matching<'_, '_>,
        i: usize,
        seen: &mut [bool],
    ) -> bool {
        let same_print = m.by_print.get(&m.o_prints[i]).cloned().unwrap_or_default();
        let at_same_place = (i < m.u_subs.len()).then_some(i);
        let candidates = same_print
            .into_iter()
            .chain(at_same_place)
            .chain(0..m.u_subs.len());
        for j in candidates {
            if seen[j] || !self.edge(ctx, m, i, j) {
                continue;
            }
            seen[j] = true;
            let free = match m.owner[j] {
                None => true,
                Some(k) => self.augment(ctx, m, k, seen),
            };
            if free {
                m.owner[j] = Some(i);
                return true;
            }
        }
        false
    }

    /// Whether original branch `i` may be replaced by updated branch `j` (compared once).
    pub(super) fn edge(&mut self, ctx: &Ctx, m: &mut Matching<'_, '_>, i: usize, j: usize) -> bool {
        if let Some(known) = m.edges.get(&(i, j)) {
            return known.is_some();
        }
        let (o, u) = (m.o_subs[i], m.u_subs[j]);
        let verdict = if !limits::spend(1) || cannot_match(o, u) {
            None
        } else {
            let mut probe = ctx.probe();
            probe.path.push(format!("{}/{i}", m.keyword));
            self.compare(&mut probe, o, u);
            probe.is_compatible().then_some(probe)
        };
        let compatible = verdict.is_some();
        m.edges.insert((i, j), verdict);
        compatible
    }

    /// A hash of a sub-schema's JSON (and the part of it looked at), the same for equal ones.
    pub(super) fn fingerprint(&mut self, v: View<'_>) -> u64 {
        if let Some(print) = self.prints.get(&v.key()) {
            return *print;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        v.facet.hash(&mut hasher);
        hash_json(v.value, &mut hasher);
        let print = hasher.finish();
        self.prints.insert(v.key(), print);
        print
    }

    /// Sub-schemas with duplicates collapsed, as Confluent collects them into a set.
    pub(super) fn distinct<'a>(&mut self, subs: Vec<View<'a>>) -> Vec<View<'a>> {
        let mut out: Vec<View<'a>> = Vec::new();
        let mut by_print: HashMap<u64, Vec<usize>> = HashMap::new();
        for s in subs {
            let print = self.fingerprint(s);
            let same = by_print.entry(print).or_default();
            if !same
                .iter()
                .any(|&k| out[k].facet == s.facet && out[k].value == s.value)
            {
                same.push(out.len());
                out.push(s);
            }
        }
        out
    }

    /// `not A` to `not B` accepts more when B accepts less.
    pub(super) fn compare_not(&mut self, ctx: &mut Ctx, o_not: View<'_>, u_not: View<'_>) {
        ctx.path.push("not".into());
        let (widened, _) = self.probe(ctx, o_not, u_not);
        let (narrowed, _) = self.probe(ctx, u_not, o_not);
        ctx.path.pop();
        if widened && narrowed {
            return;
        }
        ctx.add(if narrowed {
            NOT_TYPE_NARROWED
        } else {
            NOT_TYPE_EXTENDED
        });
    }
}

/// The state of one branch matching (see [`Differ::augment`]).
pub(super) struct Matching<'s, 'a> {
    o_subs: &'s [View<'a>],
    u_subs: &'s [View<'a>],
    keyword: &'static str,
    o_prints: Vec<u64>,
    /// Updated branches by fingerprint.
    by_print: HashMap<u64, Vec<usize>>,
    /// Pairs compared: the findings when compatible.
    edges: HashMap<(usize, usize), Option<Ctx>>,
    /// The original branch each updated one is matched with.
    owner: Vec<Option<usize>>,
}

/// Two schemas whose comparison is sure to end in TYPE_CHANGED (different types, neither a
/// combination nor accepting everything or nothing), decided without comparing them.
pub(super) fn cannot_match(o: View<'_>, u: View<'_>) -> bool {
    let (o, u) = (o.dereferenced(), u.dereferenced());
    let (ok, uk) = (o.kind(), u.kind());
    let may_match = ok.is_combined()
        || uk.is_combined()
        || ok.class() == uk.class()
        || matches!(ok, Kind::False)
        || matches!(uk, Kind::Empty)
        || (connect_bytes(o) && connect_bytes(u));
    !may_match
}

/// Feeds a JSON value to a hasher, object keys in order (equal values hash equal).
pub(super) fn hash_json(value: &Value, hasher: &mut impl Hasher) {
    if !limits::spend(1) {
        return;
    }
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => (2u8, n.to_string()).hash(hasher),
        Value::String(t) => (3u8, t).hash(hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(hasher);
            items.iter().for_each(|i| hash_json(i, hasher));
        }
        Value::Object(map) => {
            (5u8, map.len()).hash(hasher);
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                k.hash(hasher);
                hash_json(&map[k], hasher);
            }
        }
    }
}
