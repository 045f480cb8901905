CREATE TABLE `local_identities` (
	`name` text PRIMARY KEY NOT NULL,
	`participant_id` text NOT NULL,
	`client_id` text NOT NULL,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE no action
);
