/* The plan calendar in the browser (components/calendar_nav.py, components/calendar.py).
 *
 * - plangovCalendar.scrollToWeek(index): scroll to a week once it is on screen, just under
 *   the app's header and the week navigation (both sticky); the server calls it after a jump.
 * - plangovCalendar.stepWeek(step): the week before (-1) or after (+1) the one in view, for
 *   the previous / next week buttons (the server then shows its page and scrolls there).
 * - The week selector follows the week in view as the page scrolls.
 * - Drag and drop, wide screens only (days are columns there; phones use "Move to…"): a
 *   session card ([data-session][draggable=true]) dragged inside [data-drop-zone=true] carries
 *   its session id; day cells ([data-day]) other than its own are outlined, the one under it
 *   filled; the drop itself goes to the server through the zone's React onDrop.
 * Listeners sit on the document, so the calendar's re-renders never need them bound again.
 */
(() => {
  if (window.plangovCalendar) return;
  const SESSION_TYPE = "application/x-plangov-session";
  const WIDE = "(min-width: 62em)"; // the `md` breakpoint, where days are columns
  const root = document.documentElement;
  const weeks = () => Array.from(document.querySelectorAll("[data-week]"));
  const weekSelect = () => document.querySelector("[data-week-select]");
  let pinned = null; // the week last jumped to: in view until the person scrolls
  let pinnedAt = 0;

  /** The line under the sticky header and week navigation (px from the viewport's top). */
  function line() {
    const header = document.getElementById("app-header");
    const height = header ? header.getBoundingClientRect().height : 0;
    root.style.setProperty("--plangov-header-height", `${height}px`);
    const nav = document.querySelector("[data-week-nav]");
    return height + (nav ? nav.getBoundingClientRect().height : 0) + 8;
  }

  /** The week in view: the last whose top has reached the line (null above the first). */
  function weekInView() {
    if (pinned && pinned.isConnected) return pinned;
    const y = line() + 2;
    let found = null;
    for (const week of weeks()) {
      if (week.getBoundingClientRect().top > y) break;
      found = week;
    }
    return found;
  }

  /** Keep the week selector on the week in view, and say it to screen readers if asked. */
  function sync(announce) {
    const select = weekSelect();
    const week = weekInView() || weeks()[0];
    if (!select || !week) return;
    if (select.value !== week.dataset.week) select.value = week.dataset.week;
    const live = document.querySelector("[data-week-announce]");
    const option = select.options[select.selectedIndex];
    if (announce && live && option) live.textContent = option.text;
  }

  function align(week) {
    const top = week.getBoundingClientRect().top + window.scrollY - line();
    window.scrollTo({ top: Math.max(0, top), behavior: "instant" });
  }

  function scrollToWeek(index) {
    return new Promise((resolve) => {
      const deadline = performance.now() + 10000;
      const attempt = () => {
        const week = document.querySelector(`[data-week="${Number(index)}"]`);
        if (!week) {
          if (performance.now() < deadline) setTimeout(attempt, 50);
          else resolve(false);
          return;
        }
        pinned = null;
        align(week);
        // Once more when the weeks around it have their real height (off-screen weeks
        // are laid out lazily: content-visibility).
        requestAnimationFrame(() => requestAnimationFrame(() => {
          align(week);
          pinned = week;
          pinnedAt = performance.now();
          sync(true);
          resolve(true);
        }));
      };
      attempt();
    });
  }

  function stepWeek(step) {
    const all = weeks();
    if (!all.length) return null;
    const current = weekInView();
    if (!current) return Number(all[0].dataset.week) + (step > 0 ? 0 : -1);
    return Number(current.dataset.week) + step;
  }

  let queued = false;
  window.addEventListener("scroll", () => {
    if (performance.now() - pinnedAt > 400) pinned = null; // the person scrolled on
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      sync(false);
    });
  }, { passive: true });

  // Drag and drop
  let dragged = null;
  const within = (target, selector) =>
    target instanceof Element ? target.closest(selector) : null;
  const dropCell = (target) => {
    const cell = within(target, "[data-day]");
    return cell && cell.closest('[data-drop-zone="true"]') ? cell : null;
  };

  function markOver(cell) {
    for (const other of document.querySelectorAll("[data-drop-over]")) {
      if (other !== cell) other.removeAttribute("data-drop-over");
    }
    if (cell) cell.setAttribute("data-drop-over", "");
  }

  function endDrag() {
    for (const mark of ["data-drop-over", "data-drag-origin", "data-dragged"]) {
      for (const el of document.querySelectorAll(`[${mark}]`)) el.removeAttribute(mark);
    }
    root.removeAttribute("data-dragging-session");
    dragged = null;
  }

  document.addEventListener("dragstart", (event) => {
    const card = within(event.target, '[data-session][draggable="true"]');
    if (!card || !card.closest('[data-drop-zone="true"]')) return;
    if (!window.matchMedia(WIDE).matches) {
      event.preventDefault(); // narrow screens move sessions with the date box
      return;
    }
    dragged = card;
    event.dataTransfer.setData(SESSION_TYPE, card.dataset.session);
    event.dataTransfer.effectAllowed = "move";
    card.setAttribute("data-dragged", "");
    const origin = card.closest("[data-day]");
    if (origin) origin.setAttribute("data-drag-origin", "");
    root.setAttribute("data-dragging-session", "");
  });

  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const cell = dropCell(event.target);
    if (!cell || cell.hasAttribute("data-drag-origin")) {
      markOver(null);
      return; // not a drop target: the browser shows "no drop"
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    markOver(cell);
  });

  document.addEventListener("dragleave", (event) => {
    if (dragged && !event.relatedTarget) markOver(null); // left the window
  });

  // React's onDrop (the zone's) has run by now: it handles the drop where it bubbles first.
  document.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();
    endDrag();
  });
  document.addEventListener("dragend", endDrag);

  window.plangovCalendar = { scrollToWeek, stepWeek, weekInView };
})();
