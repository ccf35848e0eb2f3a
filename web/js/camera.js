// The cabinet's camera on either page, as /v1/config describes it: "mjpeg" an MJPEG
// stream in an image, "video" a stream a <video> plays (muted, so it may autoplay),
// "page" a WebRTC/WHEP or HLS player page in a frame (MediaMTX's, say), "none" a
// placeholder that says so (and one that says the camera is down when its stream fails to
// load). clawd's Content-Security-Policy allows the camera's origin.

export function showCamera(container, camera) {
  const kind = camera && camera.url ? camera.kind : 'none';
  const element = cameraElement(kind, camera && camera.url);
  // A stream that cannot be loaded says so rather than showing a broken image.
  element.addEventListener('error', () => {
    container.replaceChildren(placeholder('The camera is not available right now'));
  }, { once: true });
  container.replaceChildren(element);
  container.dataset.camera = kind;
}

function cameraElement(kind, url) {
  if (kind === 'mjpeg') {
    const image = document.createElement('img');
    image.alt = 'Live camera view of the claw machine';
    image.src = url;
    return image;
  }
  if (kind === 'video') {
    const video = document.createElement('video');
    Object.assign(video, { src: url, autoplay: true, muted: true, playsInline: true });
    video.setAttribute('aria-label', 'Live camera view of the claw machine');
    return video;
  }
  if (kind === 'page') {
    const frame = document.createElement('iframe');
    frame.src = url;
    frame.title = 'Live camera view of the claw machine';
    frame.allow = 'autoplay; fullscreen';
    return frame;
  }
  return placeholder('No camera configured');
}

function placeholder(text) {
  const note = document.createElement('p');
  note.className = 'camera-placeholder';
  note.textContent = text;
  return note;
}
