//! Sorting through one copy of the standard library's sort for the whole library.
//!
//! Every `sort`/`sort_by_key` on a new element type or with a new closure compiles its own copy
//! of std's stable sort (driftsort: ~5–6 KB of machine code each; core had eight copies, ~45 KB
//! of the mobile library). Core's sorts go through [`sort_stable_by`] instead, which sorts
//! *indices* with the comparison behind `&dyn`: the sort itself is compiled once, and each caller
//! adds only a small permutation loop. Ties are broken by index, so the order is exactly the one
//! a stable sort gives. The lists sorted this way are short (backups, the trash, the codes in one
//! image), where an indirect call per comparison costs nothing that shows.

use std::cmp::Ordering;

/// The indices `0..len` in the order a stable sort by `cmp` puts the items they stand for:
/// ascending by `cmp`, equal items in their original order. (Indices are distinct, so the
/// unstable sort with the index as tie-break is stable.)
pub(crate) fn stable_order(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    order
}

/// Sorts `items` by `cmp`, stably: what `items.sort_by(cmp)` does, through the one shared sort.
pub(crate) fn sort_stable_by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = stable_order(items.len(), &|a, b| cmp(&items[a], &items[b]));
    permute(items, order);
}

/// Rearranges `items` so that the element at `k` is the one that was at `order[k]`, by
/// swapping along the permutation's cycles (`order` must be a permutation of the indices).
pub(crate) fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut k = start;
        while order[k] != DONE {
            let from = order[k];
            order[k] = DONE;
            if from == start {
                break;
            }
            items.swap(k, from);
            k = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_puts_each_element_where_the_order_says() {
        // Every permutation of 5 elements, and a few long ones with long cycles.
        let mut orders: Vec<Vec<usize>> = Vec::new();
        let mut perm: Vec<usize> = (0..5).collect();
        fn all(k: usize, perm: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if k == perm.len() {
                out.push(perm.clone());
                return;
            }
            for i in k..perm.len() {
                perm.swap(k, i);
                all(k + 1, perm, out);
                perm.swap(k, i);
            }
        }
        all(0, &mut perm, &mut orders);
        assert_eq!(orders.len(), 120);
        orders.push((0..1000).map(|i| (i * 7 + 3) % 1000).collect());
        orders.push((0..1000).rev().collect());
        for order in orders {
            let original: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let mut items = original.clone();
            permute(&mut items, order.clone());
            let expected: Vec<String> = order.iter().map(|&i| original[i].clone()).collect();
            assert_eq!(items, expected);
        }
    }

    #[test]
    fn sorts_exactly_as_the_standard_stable_sort() {
        // Many equal keys, so that ties decide most of the order; several lengths around the
        // standard sort's small-sort thresholds, each checked against `sort_by_key`.
        for len in [0usize, 1, 2, 3, 7, 8, 17, 20, 33, 64, 100, 1000] {
            let items: Vec<(u32, usize)> = (0..len)
                .map(|i| (((i * 7919 + 13) % 11) as u32, i))
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|&(key, _)| key);
            let mut ours = items.clone();
            sort_stable_by(&mut ours, |a, b| a.0.cmp(&b.0));
            assert_eq!(ours, expected, "length {len}");
            let mut reversed = items.clone();
            reversed.sort_by_key(|&(key, _)| std::cmp::Reverse(key));
            let mut ours = items;
            sort_stable_by(&mut ours, |a, b| b.0.cmp(&a.0));
            assert_eq!(ours, reversed, "length {len}, descending");
        }
    }
}
