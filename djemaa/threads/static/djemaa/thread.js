// The thread page, enhanced: the announcements box remembers whether the reader closed it,
// and the next page of posts loads as the reader nears the end of the current one. Without
// this script the box is simply open and the page links work as links.

const ANNOUNCEMENTS_KEY = "djemaa:announcements";
// Sent with each fetch, so the server answers with the posts alone (see threads/views.py).
const FRAGMENT_HEADER = "X-Djemaa-Fragment";

function rememberAnnouncements() {
  const box = document.querySelector("details.announcements");
  if (!box) return;
  try {
    const saved = localStorage.getItem(ANNOUNCEMENTS_KEY);
    if (saved) box.open = saved === "open";
    box.addEventListener("toggle", () => {
      localStorage.setItem(ANNOUNCEMENTS_KEY, box.open ? "open" : "closed");
    });
  } catch {
    // Storage refused (private browsing, a site policy): the box just does not remember.
  }
}

function loadPostsOnScroll() {
  const container = document.getElementById("posts");
  if (!container || !("IntersectionObserver" in window)) return;
  let loading = false;

  // The address bar follows the page being read, so a reload or a shared link lands there:
  // the last chunk whose top has passed the upper third of the window, or at the very end of
  // the thread the last chunk (a short last page may never reach that line).
  let followPending = false;
  function followReading() {
    followPending = false;
    const chunks = container.querySelectorAll(":scope > .posts-chunk");
    const root = document.documentElement;
    const atEnd = window.scrollY + window.innerHeight >= root.scrollHeight - 2;
    let reading = chunks[0];
    for (const chunk of chunks) {
      if (atEnd || chunk.getBoundingClientRect().top <= window.innerHeight / 3) reading = chunk;
    }
    if (!reading) return;
    const target = new URL(reading.dataset.url, location.href);
    // Same page: keep the address as it is, with its #post-… anchor.
    if (target.pathname + target.search !== location.pathname + location.search) {
      history.replaceState(history.state, "", target);
    }
  }
  window.addEventListener(
    "scroll",
    () => {
      if (followPending) return;
      followPending = true;
      requestAnimationFrame(followReading);
    },
    { passive: true },
  );

  // Start a little before the end, so reading rarely waits.
  const nextWatcher = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadNext();
    },
    { rootMargin: "0px 0px 300px 0px" },
  );

  // The links after the last loaded chunk; each fragment brings its own.
  function currentLinks() {
    return container.querySelector(":scope > .posts-more");
  }

  function watch() {
    const next = currentLinks()?.querySelector("a[rel=next]");
    if (next) nextWatcher.observe(next);
  }

  async function loadNext() {
    const links = currentLinks();
    const next = links?.querySelector("a[rel=next]");
    if (loading || !next) return;
    loading = true;
    nextWatcher.disconnect();
    const indicator = links.querySelector(".loading-indicator");
    const failure = links.querySelector(".load-error");
    indicator.hidden = false;
    failure.hidden = true;
    links.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(next.href, { headers: { [FRAGMENT_HEADER]: "1" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const fragment = document.createElement("template");
      fragment.innerHTML = await response.text();
      // The fragment brings the next chunk of posts and the links that follow it.
      links.replaceWith(fragment.content);
    } catch {
      indicator.hidden = true;
      failure.hidden = false;
      links.removeAttribute("aria-busy");
      return;
    } finally {
      loading = false;
    }
    watch();
  }

  container.addEventListener("click", (event) => {
    if (event.target.closest(".load-error a")) {
      event.preventDefault();
      loadNext();
    }
  });
  watch();
}

rememberAnnouncements();
loadPostsOnScroll();
