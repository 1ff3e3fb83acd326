// "Retry from failed step" on a failed run's page: a new run that reuses
// the outputs of every step the run completed (shown as "reused") and runs
// from the failed step on, on the same version (POST /runs/{id}/retry
// with {"from": "failed"}). The server says why when it cannot resume
// (nothing completed before the failure, a step's output is gone).

import { h, replace, toast } from './dom.js';
import * as api from './api.js';
import { errorBox } from './common.js';

// resumeButton returns the button for run, or null when the run did not
// fail; msg is where a refusal is shown.
export function resumeButton(run, msg) {
  if (run.status !== 'failed' && run.status !== 'timed_out') return null;
  const b = h('button', { type: 'button', id: 'retry-failed', title: 'Reuse the completed steps and run from the failed step on' },
    'Retry from failed step');
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const nr = await api.post(`/runs/${encodeURIComponent(run.id)}/retry`, { from: 'failed' });
      toast('Resumed from the failed step.', 'ok');
      location.hash = `#/runs/${encodeURIComponent(nr.id)}`;
    } catch (err) {
      replace(msg, errorBox(err));
      b.disabled = false;
    }
  });
  return b;
}
