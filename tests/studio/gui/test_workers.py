"""The newest-frame slot: previews skip the event queue and a reader only ever sees the newest image."""

import numpy as np

from core.jobs.collector import CollectingRunner
from core.jobs.context import JobContext
from core.jobs.events import Preview, Progress
from core.jobs.job import Job
from studio.gui.workers import NewestSlot, PreviewsToSlot, SlotPoller


class Frames(Job):
    name = "frames"

    def run(self, ctx: JobContext) -> int:
        for i in range(50):
            ctx.preview("tracking", np.full((4, 4, 3), i, np.uint8))
            ctx.progress(i + 1, 50)
        return 50


def test_previews_go_to_the_slot_and_other_events_pass_through(qtbot):
    slot = NewestSlot()
    runner = CollectingRunner()
    assert runner.run(PreviewsToSlot(Frames(), slot)).value == 50
    assert runner.of_type(Preview) == [] and len(runner.of_type(Progress)) == 50
    seen = []
    poller = SlotPoller(slot, lambda name, image: seen.append((name, int(image[0, 0, 0]))))
    poller.poll()
    poller.poll()  # nothing new: nothing drawn
    assert seen == [("tracking", 49)] and poller.shown == 1
    slot.put("tracking", np.zeros((2, 2, 3), np.uint8))
    assert slot.take_if_newer(slot.write_id) is None and slot.take_if_newer(0) is not None
