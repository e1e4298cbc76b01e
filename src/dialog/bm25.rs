//! Okapi BM25 over an inverted index. Documents are term lists from `text::lexical_terms`.

use std::collections::HashMap;

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A BM25 index over a fixed set of documents.
pub struct Bm25Index {
    postings: HashMap<String, Vec<(u32, u32)>>,
    doc_len: Vec<u32>,
    avg_len: f32,
}

impl Bm25Index {
    pub fn new(docs: &[Vec<String>]) -> Self {
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut doc_len = Vec::with_capacity(docs.len());
        for (id, terms) in docs.iter().enumerate() {
            let mut tf: HashMap<&str, u32> = HashMap::new();
            for t in terms {
                *tf.entry(t.as_str()).or_default() += 1;
            }
            for (t, n) in tf {
                postings
                    .entry(t.to_string())
                    .or_default()
                    .push((id as u32, n));
            }
            doc_len.push(terms.len() as u32);
        }
        let total: u64 = doc_len.iter().map(|&l| u64::from(l)).sum();
        let avg_len = if docs.is_empty() {
            1.0
        } else {
            (total as f32 / docs.len() as f32).max(1.0)
        };
        Bm25Index {
            postings,
            doc_len,
            avg_len,
        }
    }

    /// BM25 score of every document for `query` (zeros where nothing matches).
    pub fn scores(&self, query: &[String]) -> Vec<f32> {
        let n = self.doc_len.len() as f32;
        let mut scores = vec![0.0f32; self.doc_len.len()];
        let mut seen: Vec<&str> = Vec::new();
        for term in query {
            // A repeated query term should not count twice.
            if seen.contains(&term.as_str()) {
                continue;
            }
            seen.push(term);
            let Some(list) = self.postings.get(term) else {
                continue;
            };
            let df = list.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, tf) in list {
                let tf = tf as f32;
                let len_norm = 1.0 - B + B * self.doc_len[doc as usize] as f32 / self.avg_len;
                scores[doc as usize] += idf * tf * (K1 + 1.0) / (tf + K1 * len_norm);
            }
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialog::text::lexical_terms;

    #[test]
    fn rarer_matching_terms_rank_higher() {
        let docs: Vec<Vec<String>> = [
            "refund money card",
            "delivery parcel track",
            "refund delivery",
        ]
        .iter()
        .map(|d| lexical_terms(d))
        .collect();
        let index = Bm25Index::new(&docs);
        let s = index.scores(&lexical_terms("track my parcel"));
        assert!(s[1] > 0.0 && s[0] == 0.0 && s[2] == 0.0, "{s:?}");
        let s = index.scores(&lexical_terms("refund to card"));
        assert!(s[0] > s[2] && s[2] > 0.0, "{s:?}");
    }
}
