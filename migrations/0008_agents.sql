ALTER TABLE `messages` ADD `reply_to` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `mentions` text;--> statement-breakpoint
ALTER TABLE `participants` ADD `handle` text;--> statement-breakpoint
ALTER TABLE `participants` ADD `is_human` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `participants` ADD `waiting_until` integer;--> statement-breakpoint
ALTER TABLE `participants` ADD `waiting_in` text;--> statement-breakpoint
CREATE UNIQUE INDEX `participants_handle` ON `participants` (`handle`);--> statement-breakpoint
ALTER TABLE `rooms` ADD `agent_streak` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rooms` ADD `loop_guard` integer;--> statement-breakpoint
ALTER TABLE `rooms` ADD `paused_at` integer;