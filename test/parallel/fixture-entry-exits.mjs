// A "worker entry" that loads and ends at once without answering the boot handshake.
export {};
