//! Every UID of the selected folder, listed by message number
//! (`UID SEARCH lo:hi`, the last range `lo:*`). Built to list a huge folder
//! in slices, so that no single exchange holds up a folder switch and no
//! answer line nears the reader's 32 MiB cap (about four million
//! messages); for now it is one range (see [`SLICE`]). ESEARCH would say
//! it in a few bytes, but the parser cannot read it, and Exchange offers
//! none.

/// Messages per slice. Slicing by message number is off for now (the
/// whole list is one `UID SEARCH 1:*`, as atomic as `UID SEARCH ALL`): an
/// expunge between two slices shifts the numbers, so a UID could be missed
/// or a gone one kept, and not every expunge restarts the listing (one
/// named by UID in VANISHED, or one the tracker can place with an older
/// map). Slices come back once an expunge during a listing starts it over.
/// One answer at a million messages is 7 MB, read in 0.37 s.
pub const SLICE: u32 = u32::MAX / 2;

/// A listing in progress, for the folder selected last.
#[derive(Debug, Default)]
pub struct Listing {
    /// The message count as SELECT said (the last slice is `lo:*` anyway,
    /// so mail that came since is listed too).
    exists: u32,
    /// Where the next slice starts; 0 when no listing is under way.
    next: u32,
    found: Vec<u32>,
}

impl Listing {
    /// A folder was selected; nothing listed of it yet.
    pub fn new(exists: u32) -> Self {
        Listing {
            exists,
            ..Listing::default()
        }
    }

    /// Starts over (a failed slice, or another folder selected).
    pub fn restart(&mut self) {
        *self = Listing::new(self.exists);
    }

    /// The next slice: its first message number and its last, or None for
    /// the last slice (`lo:*`).
    pub fn next_range(&mut self) -> (u32, Option<u32>) {
        if self.next == 0 {
            self.next = 1;
            self.found.clear();
        }
        let lo = self.next;
        let hi = lo.saturating_add(SLICE - 1);
        if hi < self.exists {
            (lo, Some(hi))
        } else {
            (lo, None)
        }
    }

    /// What the slice starting at `lo` answered; the whole list (ascending,
    /// no duplicates) once the last slice is in.
    pub fn took(&mut self, lo: u32, hi: Option<u32>, found: Vec<u32>) -> Option<Vec<u32>> {
        // No more UIDs than messages asked: a server that answers more does
        // not get to grow the list past what it was asked.
        let most = hi.map_or(usize::MAX, |h| (h - lo + 1) as usize);
        self.found
            .extend(found.into_iter().filter(|u| *u != 0).take(most));
        let Some(hi) = hi else {
            let mut all = std::mem::take(&mut self.found);
            all.sort_unstable();
            all.dedup();
            self.restart();
            return Some(all);
        };
        self.next = hi.saturating_add(1);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists a folder holding `uids` the way the backend does; also how
    /// many slices it took.
    fn list(uids: &[u32], exists: u32) -> (Vec<u32>, usize) {
        let mut l = Listing::new(exists);
        for slices in 1..10_000 {
            let (lo, hi) = l.next_range();
            let end = hi.map_or(uids.len(), |h| (h as usize).min(uids.len()));
            let found = uids[(lo as usize - 1).min(end)..end].to_vec();
            if let Some(all) = l.took(lo, hi, found) {
                return (all, slices);
            }
        }
        panic!("the listing never ended");
    }

    #[test]
    fn a_big_folder_is_listed_in_one_exchange() {
        let uids: Vec<u32> = (1..=100_000).map(|i| i * 3).collect();
        let (all, slices) = list(&uids, 100_000);
        assert_eq!(all, uids);
        assert_eq!(slices, 1);
    }

    #[test]
    fn a_small_folder_is_one_slice_and_mail_since_select_is_listed() {
        assert_eq!(list(&[3, 9, 4_000_000], 2), (vec![3, 9, 4_000_000], 1));
        assert_eq!(list(&[], 0), (vec![], 1));
    }
}
