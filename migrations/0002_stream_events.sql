CREATE TABLE `stream_events` (
	`stream_id` text NOT NULL,
	`seq` integer NOT NULL,
	`message` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`stream_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `stream_events_age` ON `stream_events` (`created_at`);