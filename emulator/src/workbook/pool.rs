//! A pool of IronCalc models, all built from one parsed template, so that evaluations on many
//! threads never share a model and never re-read the file. The lock only guards taking a model
//! out of the pool and putting it back; evaluation runs outside it.

use std::sync::Mutex;

use ironcalc::base::Model;
use ironcalc::base::types::Workbook as IcWorkbook;

/// Most idle models kept per workbook.
const MAX_IDLE: usize = 32;

/// Extra shared strings a model may accumulate (every distinct text input adds one)
/// before it is thrown away and rebuilt from the template.
const MAX_EXTRA_STRINGS: usize = 4096;

/// A model checked out of the pool, with what evaluation changed in it.
pub(crate) struct Slot {
    /// The engine model.
    pub model: Model<'static>,
    /// Per input: its cells hold something other than the workbook default.
    pub dirty: Vec<bool>,
}

/// The pool itself.
pub(crate) struct ModelPool {
    template: IcWorkbook,
    inputs: usize,
    base_strings: usize,
    idle: Mutex<Vec<Slot>>,
}

impl ModelPool {
    /// A pool whose models are copies of `first`'s workbook; `first` becomes the first idle model.
    pub(crate) fn new(first: Model<'static>, inputs: usize) -> ModelPool {
        let template = first.workbook.clone();
        let base_strings = template.shared_strings.len();
        ModelPool {
            template,
            inputs,
            base_strings,
            idle: Mutex::new(vec![Slot {
                model: first,
                dirty: vec![false; inputs],
            }]),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Slot>> {
        match self.idle.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// An idle model, or a fresh one built from the template.
    pub(crate) fn take(&self) -> Result<Slot, String> {
        if let Some(slot) = self.lock().pop() {
            return Ok(slot);
        }
        let model = Model::from_workbook(self.template.clone(), "en")?;
        Ok(Slot {
            model,
            dirty: vec![false; self.inputs],
        })
    }

    /// A model fresh from the template, never pooled (for one-off copies of the workbook).
    pub(crate) fn fresh(&self) -> Result<Model<'static>, String> {
        Model::from_workbook(self.template.clone(), "en")
    }

    /// Returns a model to the pool (dropped if the pool is full or the model grew too much).
    pub(crate) fn give(&self, slot: Slot) {
        if slot.model.workbook.shared_strings.len() > self.base_strings + MAX_EXTRA_STRINGS {
            return;
        }
        let mut idle = self.lock();
        if idle.len() < MAX_IDLE {
            idle.push(slot);
        }
    }
}
