/* global setInterval */
// A worker entry that loads, stays alive and never answers the boot handshake (the pool's boot
// fault tests): only the caller's bounded wait can end the wait for it.
setInterval(() => {}, 1000);
