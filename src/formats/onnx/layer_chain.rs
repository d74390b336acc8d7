//! The affine layers found along a data path, as a persistent list: every tensor of the graph
//! holds its own path, and a path one node further shares all earlier layers with the path it
//! came from. Copying a path is O(1) whatever the depth (a `Vec<Layer>` copied per node made a
//! 3,000-layer graph cost O(depth²) time and memory: issue 17).

use crate::network::Layer;
use ndarray::{Array1, Array2};
use std::rc::Rc;

/// The layers of a data path, the last one first.
#[derive(Clone, Debug, Default)]
pub(super) struct LayerChain {
    last: Option<Rc<Link>>,
}

#[derive(Debug)]
struct Link {
    layer: Layer,
    prev: Option<Rc<Link>>,
}

impl Drop for Link {
    /// Unlinks iteratively: the default recursive drop of a list of 30,000 links overflows the stack.
    fn drop(&mut self) {
        let mut next = self.prev.take();
        while let Some(rc) = next {
            next = match Rc::try_unwrap(rc) {
                Ok(mut link) => link.prev.take(),
                Err(_) => None, // still shared: its other owner drops it later
            };
        }
    }
}

impl LayerChain {
    /// True before the first layer.
    pub fn is_empty(&self) -> bool {
        self.last.is_none()
    }

    /// Appends a layer (shares the earlier ones).
    pub fn push(&mut self, layer: Layer) {
        let prev = self.last.take();
        self.last = Some(Rc::new(Link { layer, prev }));
    }

    /// The layers, first to last; moved out where this chain is their only owner, copied where
    /// another path still shares them.
    pub fn into_vec(mut self) -> Vec<Layer> {
        let mut out = Vec::new();
        let mut next = self.last.take();
        while let Some(rc) = next {
            next = match Rc::try_unwrap(rc) {
                Ok(mut link) => {
                    out.push(std::mem::replace(&mut link.layer, empty_layer()));
                    link.prev.take()
                }
                Err(shared) => {
                    out.push(shared.layer.clone());
                    shared.prev.clone()
                }
            };
        }
        out.reverse();
        out
    }
}

fn empty_layer() -> Layer {
    Layer::new(Array2::zeros((0, 0)), Array1::zeros(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(v: f64) -> Layer {
        Layer::new(Array2::from_elem((1, 1), v), Array1::zeros(1))
    }

    #[test]
    fn shared_prefixes_survive_and_deep_chains_drop() {
        let mut a = LayerChain::default();
        a.push(layer(1.0));
        let mut b = a.clone();
        b.push(layer(2.0));
        a.push(layer(3.0));
        let values =
            |c: LayerChain| -> Vec<f64> { c.into_vec().iter().map(|l| l.weight[[0, 0]]).collect() };
        assert_eq!(values(b), vec![1.0, 2.0]);
        assert_eq!(values(a), vec![1.0, 3.0]);
        let mut deep = LayerChain::default();
        for i in 0..200_000 {
            deep.push(layer(i as f64));
        }
        drop(deep);
    }
}
