"""The preview poller: only the newest image is handed on; hidden panels skip; the last one is shown."""

import numpy as np

from core.jobs.preview_slot import PreviewSlot
from studio.gui.preview_poller import PreviewPoller


def test_only_the_newest_image_is_handed_on_and_only_once(qtbot):
    slot: PreviewSlot[np.ndarray] = PreviewSlot()
    visible = [True]
    poller = PreviewPoller(slot, visible=lambda: visible[0])
    seen = []
    poller.changed.connect(lambda name, image: seen.append((name, int(image[0, 0, 0]))))
    for i in range(50):
        slot.put(np.full((4, 4, 3), i, np.uint8), "tracking")
    assert poller.poll() == 1 and poller.poll() == 0  # nothing new: nothing drawn
    assert seen == [("tracking", 49)] and poller.shown == 1
    visible[0] = False
    slot.put(np.full((4, 4, 3), 7, np.uint8), "tracking")
    assert poller.poll() == 0 and poller.shown == 1  # hidden panel: no work
    visible[0] = True
    poller.stop()  # the job ended: its last image is still shown
    assert seen[-1] == ("tracking", 7) and poller.shown == 2


def test_watching_a_new_slot_forgets_the_old_one(qtbot):
    old, new = PreviewSlot(), PreviewSlot()
    poller = PreviewPoller(old)
    old.put(np.zeros((2, 2, 3), np.uint8), "a")
    assert poller.poll() == 1
    poller.watch(new)
    assert poller.poll() == 0
    new.put(np.ones((2, 2, 3), np.uint8), "a")  # write id 1 again in the new slot
    assert poller.poll() == 1
    poller.watch(None)
    assert poller.poll() == 0
