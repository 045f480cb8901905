CREATE TABLE `http_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`protocol_version` text NOT NULL,
	`sealed_client_id` blob,
	`last_active` integer NOT NULL
);
